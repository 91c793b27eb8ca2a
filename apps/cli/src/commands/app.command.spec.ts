import type { AppId } from '@parley/contracts';
import { runCli } from '../cli';
import { appRecord, newAppsRepositoryMock, newDeps } from '../../test/cli.mocks';

const ID = '0123456789abcdef0123456789abcdef' as AppId;
const STATIC = 'none (static app: no token needed)';

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
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, ...app })));
      expect(await sut('app', 'create')).toBe(0);
      expect(apps.create).toHaveBeenCalledWith('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', { name: null, certificate: null });
      expect(out).toEqual(['app id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', `certificate: ${STATIC}`]);
    });

    it('creates a certified app with the given id and a trimmed name, and prints the certificate', async () => {
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, ...app })));
      expect(await sut('app', 'create', '--id', 'ABCdef0123456789abcdef0123456789', '--name', ' My App ', '--certificate')).toBe(0);
      expect(apps.create).toHaveBeenCalledWith('ABCdef0123456789abcdef0123456789', { name: 'My App', certificate: 'cccccccccccccccccccccccccccccccc' });
      expect(out).toEqual(['app id: ABCdef0123456789abcdef0123456789', 'name: My App', 'certificate: cccccccccccccccccccccccccccccccc']);
      expect(err.join('\n')).toContain('parley token --app ABCdef0123456789abcdef0123456789');
    });

    it('prints JSON with --json', async () => {
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, ...app })));
      expect(await sut('app', 'create', '--certificate', '--json')).toBe(0);
      expect(JSON.parse(out.join('\n'))).toEqual({
        id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        name: null,
        certified: true,
        certificate: 'cccccccccccccccccccccccccccccccc',
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

    it('fails with exit 2 for an unknown app', async () => {
      apps.find.mockResolvedValue(null);
      expect(await sut('app', 'show', '--app', ID)).toBe(2);
      expect(err[0]).toBe(`parley: unknown app ${ID} (see: parley app list)`);
    });
  });

  describe('app certificate', () => {
    it('--generate stores and prints a new certificate', async () => {
      apps.setCertificate.mockImplementation((id, certificate) => Promise.resolve(appRecord({ id, certificate })));
      expect(await sut('app', 'certificate', '--app', ID, '--generate')).toBe(0);
      expect(apps.setCertificate).toHaveBeenCalledWith(ID, 'cccccccccccccccccccccccccccccccc');
      expect(out).toEqual([`app id: ${ID}`, 'certificate: cccccccccccccccccccccccccccccccc']);
    });

    it('--remove makes the app static', async () => {
      apps.setCertificate.mockImplementation((id, certificate) => Promise.resolve(appRecord({ id, certificate })));
      expect(await sut('app', 'certificate', '--app', ID, '--remove')).toBe(0);
      expect(apps.setCertificate).toHaveBeenCalledWith(ID, null);
      expect(out).toEqual([`app id: ${ID}`, `certificate: ${STATIC}`]);
    });

    it.each([[[]], [['--generate', '--remove']]])('wants exactly one of --generate / --remove (%j)', async (flags) => {
      expect(await sut('app', 'certificate', '--app', ID, ...flags)).toBe(2);
      expect(err[0]).toBe('parley: give exactly one of --generate and --remove');
    });

    it('fails with exit 2 for an unknown app', async () => {
      apps.setCertificate.mockResolvedValue(null);
      expect(await sut('app', 'certificate', '--app', ID, '--remove')).toBe(2);
      expect(err[0]).toContain('unknown app');
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
      apps.create.mockImplementation((id, app) => Promise.resolve(appRecord({ id, ...app })));
      expect(await sut('app', 'ensure', '--id', ID, '--name', 'demo')).toBe(0);
      expect(apps.create).toHaveBeenCalledWith(ID, { name: 'demo', certificate: null });
      expect(out).toEqual([`app ${ID} created (static: log in without a token)`]);
    });

    it('leaves an existing static app alone', async () => {
      apps.create.mockResolvedValue(null);
      apps.find.mockResolvedValue(appRecord({ name: 'other name' }));
      expect(await sut('app', 'ensure', '--id', ID, '--name', 'demo')).toBe(0);
      expect(apps.setCertificate).not.toHaveBeenCalled();
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
