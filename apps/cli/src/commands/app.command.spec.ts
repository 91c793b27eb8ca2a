import type { AppId } from '@parley/contracts';
import { runCli } from '../cli';
import { appRecord, newAppsRepositoryMock, newDeps } from '../../test/cli.mocks';

const ID = '0123456789abcdef0123456789abcdef' as AppId;
const STATIC = 'none (static app: no token needed)';
const CERT = 'cccccccccccccccccccccccccccccccc';

describe('app commands', () => {
  let apps: ReturnType<typeof newAppsRepositoryMock>;
  let sut: (...argv: string[]) => Promise<number>;
  let out: string[];
  let err: string[];

  beforeEach(() => {
    apps = newAppsRepositoryMock();
    const d = newDeps(apps);
    out = d.out;
    err = d.err;
    sut = (...argv) => runCli(argv, d.deps);
  });

  describe('app create', () => {
    it('creates a static app with a generated hex id', async () => {
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, name: app.name })));
      expect(await sut('app', 'create')).toBe(0);
      expect(apps.create).toHaveBeenCalledWith('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', { name: null, certified: false });
      expect(out).toEqual(['app id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', `certificate: ${STATIC}`]);
    });

    it('creates a certified app with the given id and a trimmed name, and prints the certificate', async () => {
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, name: app.name, certificate: CERT })));
      expect(await sut('app', 'create', '--id', 'ABCdef0123456789abcdef0123456789', '--name', ' My App ', '--certificate')).toBe(0);
      expect(apps.create).toHaveBeenCalledWith('ABCdef0123456789abcdef0123456789', { name: 'My App', certified: true });
      expect(out).toEqual(['app id: ABCdef0123456789abcdef0123456789', 'name: My App', 'certificate: cccccccccccccccccccccccccccccccc']);
      expect(err.join('\n')).toContain('parley token --app ABCdef0123456789abcdef0123456789');
    });

    it('prints JSON with --json', async () => {
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, name: app.name, certificate: CERT })));
      expect(await sut('app', 'create', '--certificate', '--json')).toBe(0);
      expect(JSON.parse(out.join('\n'))).toEqual({
        id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        name: null,
        certified: true,
        certificate: 'cccccccccccccccccccccccccccccccc',
        previousCertificateValidUntil: null,
        createdAt: '2026-11-25T10:00:00.000Z',
        updatedAt: '2026-11-25T10:00:00.000Z',
      });
    });

    it.each([
      [['--id', 'short'], '--id must be 32 letters or digits'],
      [['--id', '0123456789abcdef0123456789abcde-'], '--id must be 32 letters or digits'],
      [['--name', '   '], '--name must be 1-200 characters'],
      [['--name', 'x'.repeat(201)], '--name must be 1-200 characters'],
      [['--name', 'tab\there'], '--name must be 1-200 characters'],
    ])('refuses %j before touching the database', async (args, message) => {
      expect(await sut('app', 'create', ...args)).toBe(2);
      expect(err[0]).toContain(message);
    });

    it('refuses an id that is taken (exit 2)', async () => {
      apps.create.mockResolvedValue(null);
      expect(await sut('app', 'create', '--id', ID)).toBe(2);
      expect(err).toEqual([`parley: app ${ID} already exists`]);
    });
  });

  describe('app list', () => {
    it('prints an aligned table', async () => {
      apps.list.mockResolvedValue([
        appRecord({ name: 'demo' }),
        appRecord({ id: 'ffffffffffffffffffffffffffffffff' as AppId, certificate: 'c'.repeat(32), createdAt: new Date('2026-11-26T08:30:05.123Z') }),
      ]);
      expect(await sut('app', 'list')).toBe(0);
      expect(out).toEqual([
        'ID                                NAME  CERTIFIED  CREATED',
        '0123456789abcdef0123456789abcdef  demo  no         2026-11-25T10:00:00Z',
        'ffffffffffffffffffffffffffffffff  -     yes        2026-11-26T08:30:05Z',
      ]);
    });

    it('says so when there is no app, and never prints certificates in JSON', async () => {
      apps.list.mockResolvedValue([]);
      expect(await sut('app', 'list')).toBe(0);
      expect(out[0]).toContain('no apps yet');
      apps.list.mockResolvedValue([appRecord({ certificate: 'c'.repeat(32) })]);
      expect(await sut('app', 'list', '--json')).toBe(0);
      expect(JSON.parse(out.slice(1).join('\n'))).toEqual([{ id: ID, name: null, certified: true, createdAt: '2026-11-25T10:00:00.000Z' }]);
    });
  });

  describe('app show', () => {
    it('shows the app with its certificate', async () => {
      apps.find.mockResolvedValue(appRecord({ name: 'demo', certificate: 'c'.repeat(32) }));
      expect(await sut('app', 'show', '--app', ID)).toBe(0);
      expect(apps.find).toHaveBeenCalledWith(ID);
      expect(out).toEqual([`app id: ${ID}`, 'name: demo', `certificate: ${'c'.repeat(32)}`, 'created: 2026-11-25T10:00:00Z', 'updated: 2026-11-25T10:00:00Z']);
    });

    it('says the certificate is set but hidden when the admin API does not show it, and until when the previous one verifies', async () => {
      apps.find.mockResolvedValue(appRecord({ certified: true, previousCertificateUntil: new Date('2026-11-26T10:00:00.000Z') }));
      expect(await sut('app', 'show', '--app', ID)).toBe(0);
      expect(out).toEqual([
        `app id: ${ID}`,
        'name: -',
        'certificate: set (the admin API shows it only at creation and rotation)',
        'previous certificate: valid until 2026-11-26T10:00:00Z',
        'created: 2026-11-25T10:00:00Z',
        'updated: 2026-11-25T10:00:00Z',
      ]);
    });

    it('fails with exit 2 for an unknown app', async () => {
      apps.find.mockResolvedValue(null);
      expect(await sut('app', 'show', '--app', ID)).toBe(2);
      expect(err[0]).toBe(`parley: unknown app ${ID} (see: parley app list)`);
    });
  });

  describe('app certificate', () => {
    it('--generate stores and prints a new certificate, the old one stopping at once', async () => {
      apps.rotateCertificate.mockImplementation((id) => Promise.resolve(appRecord({ id, certificate: CERT })));
      expect(await sut('app', 'certificate', '--app', ID, '--generate')).toBe(0);
      expect(apps.rotateCertificate).toHaveBeenCalledWith(ID, 0);
      expect(out).toEqual([`app id: ${ID}`, 'certificate: cccccccccccccccccccccccccccccccc']);
    });

    it('--remove makes the app static', async () => {
      apps.removeCertificate.mockImplementation((id) => Promise.resolve(appRecord({ id })));
      expect(await sut('app', 'certificate', '--app', ID, '--remove')).toBe(0);
      expect(apps.removeCertificate).toHaveBeenCalledWith(ID);
      expect(out).toEqual([`app id: ${ID}`, `certificate: ${STATIC}`]);
    });

    it.each([[[]], [['--generate', '--remove']]])('wants exactly one of --generate / --remove (%j)', async (flags) => {
      expect(await sut('app', 'certificate', '--app', ID, ...flags)).toBe(2);
      expect(err[0]).toBe('parley: give exactly one of --generate and --remove');
    });

    it('fails with exit 2 for an unknown app', async () => {
      apps.removeCertificate.mockResolvedValue(null);
      expect(await sut('app', 'certificate', '--app', ID, '--remove')).toBe(2);
      expect(err[0]).toContain('unknown app');
    });
  });

  describe('app rotate-cert', () => {
    it('rotates with a day of overlap by default and says until when the old certificate verifies', async () => {
      apps.rotateCertificate.mockImplementation((id) =>
        Promise.resolve(appRecord({ id, certificate: CERT, previousCertificateUntil: new Date('2026-11-26T12:00:00.000Z') })),
      );
      expect(await sut('app', 'rotate-cert', ID)).toBe(0);
      expect(apps.rotateCertificate).toHaveBeenCalledWith(ID, 86_400);
      expect(out).toEqual([`app id: ${ID}`, `certificate: ${CERT}`, 'previous certificate: valid until 2026-11-26T12:00:00Z']);
      expect(err.join('\n')).toContain(`parley token --app ${ID}`);
    });

    it('takes --overlap (0: no previous certificate) and prints JSON', async () => {
      apps.rotateCertificate.mockImplementation((id) => Promise.resolve(appRecord({ id, certificate: CERT })));
      expect(await sut('app', 'rotate-cert', ID, '--overlap', '0', '--json')).toBe(0);
      expect(apps.rotateCertificate).toHaveBeenCalledWith(ID, 0);
      expect(JSON.parse(out.join('\n'))).toMatchObject({ id: ID, certified: true, certificate: CERT, previousCertificateValidUntil: null });
    });

    it.each([
      [[], '<appid> is required'],
      [['short'], '<appid> must be 32 letters or digits'],
      [[ID, '--overlap', '604801'], '--overlap must be a whole number from 0 to 604800'],
      [[ID, '--overlap', 'x'], '--overlap must be a whole number'],
      [[ID, ID], `unexpected argument "${ID}"`],
    ])('refuses %j before touching anything (exit 2)', async (args, message) => {
      expect(await sut('app', 'rotate-cert', ...args)).toBe(2);
      expect(err[0]).toContain(message);
    });

    it('fails with exit 2 for an unknown app', async () => {
      apps.rotateCertificate.mockResolvedValue(null);
      expect(await sut('app', 'rotate-cert', ID)).toBe(2);
      expect(err[0]).toBe(`parley: unknown app ${ID} (see: parley app list)`);
    });
  });

  describe('app delete', () => {
    it('deletes the app', async () => {
      apps.delete.mockResolvedValue(true);
      expect(await sut('app', 'delete', '--app', ID)).toBe(0);
      expect(apps.delete).toHaveBeenCalledWith(ID);
      expect(out).toEqual([`deleted app ${ID}`]);
    });

    it('fails with exit 2 for an unknown app', async () => {
      apps.delete.mockResolvedValue(false);
      expect(await sut('app', 'delete', '--app', ID)).toBe(2);
      expect(err[0]).toContain(`unknown app ${ID}`);
    });
  });

  describe('app ensure', () => {
    it('creates the static app when it is missing', async () => {
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, name: app.name })));
      expect(await sut('app', 'ensure', '--id', ID, '--name', 'demo')).toBe(0);
      expect(apps.create).toHaveBeenCalledWith(ID, { name: 'demo', certified: false });
      expect(out).toEqual([`app ${ID} created (static: log in without a token)`]);
    });

    it('leaves an existing static app alone', async () => {
      apps.create.mockResolvedValue(null);
      apps.find.mockResolvedValue(appRecord({ name: 'other name' }));
      expect(await sut('app', 'ensure', '--id', ID, '--name', 'demo')).toBe(0);
      expect(apps.removeCertificate).not.toHaveBeenCalled();
      expect(out).toEqual([`app ${ID} exists (static: log in without a token)`]);
    });

    it('fails (exit 2) when the existing app has a certificate', async () => {
      apps.create.mockResolvedValue(null);
      apps.find.mockResolvedValue(appRecord({ certificate: 'c'.repeat(32) }));
      expect(await sut('app', 'ensure', '--id', ID)).toBe(2);
      expect(err[0]).toContain(`app ${ID} exists but has a certificate`);
    });

    it('needs --id', async () => {
      expect(await sut('app', 'ensure')).toBe(2);
      expect(err[0]).toBe('parley: --id is required');
    });
  });
});
