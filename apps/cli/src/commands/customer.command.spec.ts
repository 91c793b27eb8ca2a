import type { AppId } from '@parley/contracts';
import { CliError } from '../cli-error';
import { runCli } from '../cli';
import { customerRecord, newAppsRepositoryMock, newCustomersRepositoryMock, newDeps } from '../../test/cli.mocks';

const APP_A = 'a'.repeat(32) as AppId;
const APP_B = 'B'.repeat(32) as AppId;
const KEY = '5f2c3b0e9a6d4c1b8e7f0a1b2c3d4e5f';
const SECRET = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I';

describe('customer commands', () => {
  let customers: ReturnType<typeof newCustomersRepositoryMock>;
  let sut: (...argv: string[]) => Promise<number>;
  let out: string[];
  let err: string[];

  beforeEach(() => {
    customers = newCustomersRepositoryMock();
    const d = newDeps(newAppsRepositoryMock(), customers);
    out = d.out;
    err = d.err;
    sut = (...argv) => runCli(argv, d.deps);
  });

  describe('customer add', () => {
    it('creates a credential for the given apps and prints the secret once, with how to use it', async () => {
      customers.create.mockImplementation((c) => Promise.resolve({ customer: customerRecord({ name: c.name, appIds: c.appIds }), secret: SECRET }));
      expect(await sut('customer', 'add', '--name', ' backend ', '--app', APP_A, '--app', APP_B)).toBe(0);
      expect(customers.create).toHaveBeenCalledWith({ name: 'backend', appIds: [APP_A, APP_B], allApps: false });
      expect(out).toEqual([`customer key: ${KEY}`, `customer secret: ${SECRET}`, 'name: backend', `apps: ${APP_A}, ${APP_B}`]);
      expect(err.join('\n')).toContain('not shown again');
      expect(err.join('\n')).toContain(`curl -u ${KEY}:<secret>`);
      expect(err.join('\n')).not.toContain(SECRET);
    });

    it('grants every app with --all-apps, and prints JSON with --json', async () => {
      customers.create.mockImplementation((c) => Promise.resolve({ customer: customerRecord({ allApps: c.allApps }), secret: SECRET }));
      expect(await sut('customer', 'add', '--all-apps', '--json')).toBe(0);
      expect(customers.create).toHaveBeenCalledWith({ name: null, appIds: [], allApps: true });
      expect(JSON.parse(out.join('\n'))).toEqual({
        customerKey: KEY,
        customerSecret: SECRET,
        name: null,
        appIds: [],
        allApps: true,
        createdAt: '2026-11-25T10:00:00.000Z',
        revokedAt: null,
      });
    });

    it.each([
      [[], 'give --app ID (one or more) or --all-apps, not both'],
      [['--app', APP_A, '--all-apps'], 'give --app ID (one or more) or --all-apps, not both'],
      [['--app', 'short'], '--app must be 32 letters or digits, got "short"'],
      [['--all-apps', '--name', ''], '--name must be 1-200 characters'],
      [['--all-apps', 'extra'], 'unexpected argument "extra"'],
    ])('refuses %j before touching anything (exit 2)', async (args, message) => {
      expect(await sut('customer', 'add', ...args)).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toContain(message);
    });

    it('passes an unknown app through as one line (exit 2)', async () => {
      customers.create.mockRejectedValue(new CliError(`unknown app ${APP_B} (see: parley app list)`));
      expect(await sut('customer', 'add', '--app', APP_B)).toBe(2);
      expect(err).toEqual([`parley: unknown app ${APP_B} (see: parley app list)`]);
      expect(out).toEqual([]);
    });
  });

  describe('customer list', () => {
    it('prints an aligned table, revoked ones too, never a secret', async () => {
      customers.list.mockResolvedValue([
        customerRecord({ name: 'backend', appIds: [APP_A] }),
        customerRecord({ key: 'f'.repeat(32), allApps: true, revokedAt: new Date('2026-11-26T08:30:05.123Z') }),
      ]);
      expect(await sut('customer', 'list')).toBe(0);
      expect(out).toEqual([
        `KEY                               NAME     APPS                              CREATED               REVOKED`,
        `${KEY}  backend  ${APP_A}  2026-11-25T10:00:00Z  -`,
        `${'f'.repeat(32)}  -        all apps                          2026-11-25T10:00:00Z  2026-11-26T08:30:05Z`,
      ]);
    });

    it('says so when there is none, and prints JSON', async () => {
      customers.list.mockResolvedValue([]);
      expect(await sut('customer', 'list')).toBe(0);
      expect(out).toEqual(['no customer credentials yet (create one with: parley customer add)']);
      customers.list.mockResolvedValue([customerRecord({ appIds: [APP_A] })]);
      expect(await sut('customer', 'list', '--json')).toBe(0);
      expect(JSON.parse(out.slice(1).join('\n'))).toEqual([
        { customerKey: KEY, name: null, appIds: [APP_A], allApps: false, createdAt: '2026-11-25T10:00:00.000Z', revokedAt: null },
      ]);
    });
  });

  describe('customer revoke', () => {
    it('revokes the key', async () => {
      customers.revoke.mockResolvedValue(customerRecord({ revokedAt: new Date('2026-11-25T12:00:00.000Z') }));
      expect(await sut('customer', 'revoke', KEY)).toBe(0);
      expect(customers.revoke).toHaveBeenCalledWith(KEY);
      expect(out).toEqual([`revoked customer key ${KEY}`]);
      expect(await sut('customer', 'revoke', KEY, '--json')).toBe(0);
      expect(JSON.parse(out.slice(1).join('\n'))).toEqual({ customerKey: KEY, revokedAt: '2026-11-25T12:00:00.000Z' });
    });

    it('fails with exit 2 for an unknown key', async () => {
      customers.revoke.mockResolvedValue(null);
      expect(await sut('customer', 'revoke', KEY)).toBe(2);
      expect(err).toEqual([`parley: unknown customer key ${KEY} (see: parley customer list)`]);
    });

    it.each([
      [[], '<key> is required'],
      [['5F2C3B0E9A6D4C1B8E7F0A1B2C3D4E5F'], '<key> must be a customer key (32 lowercase hex digits)'],
      [['xyz'], '<key> must be a customer key'],
    ])('refuses %j (exit 2)', async (args, message) => {
      expect(await sut('customer', 'revoke', ...args)).toBe(2);
      expect(err[0]).toContain(message);
    });
  });
});
