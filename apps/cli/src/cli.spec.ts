import { CliError } from './cli-error';
import { runCli } from './cli';
import { appRecord, newAppsRepositoryMock, newDeps } from '../test/cli.mocks';

describe('runCli (parse + dispatch)', () => {
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

  it('prints the usage of every command on --help, -h and help, exit 0', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      out.length = 0;
      expect(await sut(flag)).toBe(0);
      const text = out.join('\n');
      for (const line of [
        'parley app create',
        'parley app list',
        'parley app show',
        'parley app certificate',
        'parley app rotate-cert <appid>',
        'parley app delete',
        'parley app ensure',
        'parley customer add',
        'parley customer list',
        'parley customer revoke <key>',
        'parley token',
        'PARLEY_API_URL',
        'PARLEY_ADMIN_TOKEN',
      ]) {
        expect(text).toContain(line);
      }
    }
    expect(err).toEqual([]);
  });

  it('prints the usage to stderr with exit 2 when no command is given', async () => {
    expect(await sut()).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain('Usage:');
  });

  it('prints the app commands for "parley app" (exit 2) and "parley app --help" (exit 0)', async () => {
    expect(await sut('app')).toBe(2);
    expect(err.join('\n')).toContain('parley app create');
    expect(err.join('\n')).not.toContain('parley token --app');
    expect(await sut('app', '--help')).toBe(0);
    expect(out.join('\n')).toContain('parley app ensure');
  });

  it("shows one command's help without touching the database", async () => {
    expect(await sut('token', '--help')).toBe(0);
    expect(out[0]).toMatch(
      /^Usage: parley token --app ID --uid UID \[--expire SECONDS\] \[--format 007\|006\] \[--certificate HEX\] \[--json\]\n\nPrints an RTM login token/,
    );
    expect(await sut('app', 'create', '-h')).toBe(0);
    expect(out.join('\n')).toContain('Usage: parley app create');
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['app', 'frobnicate'], 'unknown command "app frobnicate" (commands: create, list, show, certificate, rotate-cert, delete, ensure)'],
    [['app', 'list', '--bogus'], "Unknown option '--bogus'"],
    [['app', 'show', '--app'], "Option '--app <value>' argument missing"],
    [['app', 'show', '0123456789abcdef0123456789abcdef'], 'unexpected argument "0123456789abcdef0123456789abcdef"'],
    [['app', 'create', '--certificate=yes'], "Option '--certificate' does not take an argument"],
    [['app', 'show'], '--app is required'],
  ])('refuses %j with exit 2 and one clear line', async (argv, message) => {
    expect(await sut(...argv)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
    expect(err[0]).toMatch(/^parley: /);
    expect(out).toEqual([]);
  });

  it('passes a repository failure through with its own exit code (1: database unreachable)', async () => {
    apps.list.mockRejectedValue(new CliError('cannot reach Postgres at postgresql://x/y', 1));
    expect(await sut('app', 'list')).toBe(1);
    expect(err).toEqual(['parley: cannot reach Postgres at postgresql://x/y']);
  });

  it('makes tokens with the certificate from the database even when apps go through the admin API', async () => {
    const local = newAppsRepositoryMock();
    local.find.mockResolvedValue(appRecord({ certificate: 'c'.repeat(32) }));
    const d = newDeps(apps);
    expect(await runCli(['token', '--app', appRecord().id, '--uid', 'alice'], { ...d.deps, localApps: local })).toBe(0);
    expect(local.find).toHaveBeenCalledWith(appRecord().id);
    expect(apps.find).not.toHaveBeenCalled();
    expect(d.out[0]).toMatch(/^007/);
  });

  it('reports an unexpected error with its stack and exit 1', async () => {
    apps.find.mockRejectedValue(new Error('boom'));
    expect(await sut('app', 'show', '--app', appRecord().id)).toBe(1);
    expect(err[0]).toMatch(/^parley: unexpected error: Error: boom/);
  });
});
