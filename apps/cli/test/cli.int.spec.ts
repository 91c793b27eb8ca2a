import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { verifyRtmToken } from '@parley/tokens';
import { Pool } from 'pg';

/**
 * "Medium" test: the built CLI (dist/apps/cli/main.js, nx builds it before this target) against the
 * real, migrated Postgres test database.
 */
const databaseUrl = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/parley_test';

function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) dir = dirname(dir);
  return dir;
}
const main = join(workspaceRoot(), 'dist/apps/cli/main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function parley(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { env: { PATH: process.env['PATH'], DATABASE_URL: databaseUrl, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const json = <T>(run: Run): T => {
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(run.stdout) as T;
};

describe('parley CLI (built bundle, Postgres)', () => {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  const created: string[] = [];
  const freshId = () => {
    const id = randomBytes(16).toString('hex');
    created.push(id);
    return id;
  };

  beforeAll(() => {
    if (!existsSync(main)) throw new Error(`${main} is missing: build it first (nx run cli:build)`);
  });

  afterAll(async () => {
    await pool.query('DELETE FROM apps WHERE id = ANY($1)', [created]);
    await pool.query("DELETE FROM customer_credentials WHERE name = 'cli int test'");
    await pool.end();
  });

  it('creates a certified app, shows it, makes tokens that verify, deletes it', async () => {
    const app = json<{ id: string; certificate: string; certified: boolean; name: string }>(
      await parley(['app', 'create', '--certificate', '--name', 'int test', '--json']),
    );
    created.push(app.id);
    expect(app).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      certificate: expect.stringMatching(/^[0-9a-f]{32}$/),
      certified: true,
      name: 'int test',
    });

    const { rows } = await pool.query<{ certificate: string }>('SELECT certificate FROM apps WHERE id = $1', [app.id]);
    expect(rows).toEqual([{ certificate: app.certificate }]);

    const show = await parley(['app', 'show', '--app', app.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`app id: ${app.id}\nname: int test\ncertificate: ${app.certificate}\n`);

    for (const format of ['007', '006']) {
      const token = await parley(['token', '--app', app.id, '--uid', 'alice', '--format', format, '--expire', '600']);
      expect(token.code).toBe(0);
      const value = token.stdout.trim();
      expect(value.startsWith(format)).toBe(true);
      const verdict = verifyRtmToken({ token: value, appId: app.id, certificate: app.certificate, uid: 'alice' });
      expect(verdict).toMatchObject({ ok: true, version: format });
      expect(verifyRtmToken({ token: value, appId: app.id, certificate: app.certificate, uid: 'bob' }).ok).toBe(false);
    }

    expect(await parley(['app', 'delete', '--app', app.id])).toEqual({ code: 0, stdout: `deleted app ${app.id}\n`, stderr: '' });
    const gone = await parley(['app', 'show', '--app', app.id]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`unknown app ${app.id}`);
  });

  it('ensures a static app idempotently, refuses it a token, and lists it once certified', async () => {
    const id = freshId();
    expect((await parley(['app', 'ensure', '--id', id, '--name', 'demo'])).stdout).toBe(`app ${id} created (static: log in without a token)\n`);
    expect((await parley(['app', 'ensure', '--id', id])).stdout).toBe(`app ${id} exists (static: log in without a token)\n`);

    const refused = await parley(['token', '--app', id, '--uid', 'alice']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain(`app ${id} is static (no certificate)`);

    const certified = json<{ certificate: string }>(await parley(['app', 'certificate', '--app', id, '--generate', '--json']));
    const list = json<{ id: string; name: string | null; certified: boolean }[]>(await parley(['app', 'list', '--json']));
    expect(list.filter((a) => a.id === id)).toEqual([{ id, name: 'demo', certified: true, createdAt: expect.any(String) }]);
    const token = await parley(['token', '--app', id, '--uid', 'alice']);
    expect(verifyRtmToken({ token: token.stdout.trim(), appId: id, certificate: certified.certificate, uid: 'alice' }).ok).toBe(true);

    const notStatic = await parley(['app', 'ensure', '--id', id]);
    expect(notStatic.code).toBe(2);
    expect(notStatic.stderr).toContain('has a certificate');
  });

  it('refuses to create an app whose id is taken, leaving it unchanged', async () => {
    const id = freshId();
    expect((await parley(['app', 'create', '--id', id, '--name', 'first'])).code).toBe(0);
    const again = await parley(['app', 'create', '--id', id, '--name', 'second', '--certificate']);
    expect(again).toEqual({ code: 2, stdout: '', stderr: `parley: app ${id} already exists\n` });
    const { rows } = await pool.query('SELECT name, certificate FROM apps WHERE id = $1', [id]);
    expect(rows).toEqual([{ name: 'first', certificate: null }]);
  });

  it('rotates a certificate keeping the old one valid for --overlap, as the admin API does', async () => {
    const app = json<{ id: string; certificate: string }>(await parley(['app', 'create', '--certificate', '--json']));
    created.push(app.id);
    const rotated = json<{ certificate: string; previousCertificateValidUntil: string }>(
      await parley(['app', 'rotate-cert', app.id, '--overlap', '3600', '--json']),
    );
    expect(rotated.certificate).toMatch(/^[0-9a-f]{32}$/);
    expect(rotated.certificate).not.toBe(app.certificate);
    expect(Date.parse(rotated.previousCertificateValidUntil)).toBeGreaterThan(Date.now() + 3_500_000);
    const { rows } = await pool.query('SELECT certificate, previous_certificate FROM apps WHERE id = $1', [app.id]);
    expect(rows).toEqual([{ certificate: rotated.certificate, previous_certificate: app.certificate }]);
    const show = await parley(['app', 'show', '--app', app.id]);
    expect(show.stdout).toContain(`certificate: ${rotated.certificate}\nprevious certificate: valid until `);

    const text = await parley(['app', 'rotate-cert', app.id, '--overlap', '0']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^app id: [0-9a-f]{32}\ncertificate: [0-9a-f]{32}\nprevious certificate: none\n$/);
    expect((await pool.query('SELECT previous_certificate FROM apps WHERE id = $1', [app.id])).rows).toEqual([{ previous_certificate: null }]);
  });

  it('adds customer credentials (secret stored as SHA-256), lists them without secrets, revokes them', async () => {
    const app = freshId();
    expect((await parley(['app', 'ensure', '--id', app])).code).toBe(0);
    const cred = json<{ customerKey: string; customerSecret: string; appIds: string[] }>(
      await parley(['customer', 'add', '--name', 'cli int test', '--app', app, '--json']),
    );
    expect(cred).toMatchObject({
      customerKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      customerSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      appIds: [app],
    });
    const { rows } = await pool.query('SELECT secret_hash, app_ids, all_apps FROM customer_credentials WHERE id = $1', [cred.customerKey]);
    expect(rows).toEqual([{ secret_hash: createHash('sha256').update(cred.customerSecret).digest('hex'), app_ids: [app], all_apps: false }]);

    const unknown = await parley(['customer', 'add', '--app', 'e'.repeat(32)]);
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: `parley: unknown app ${'e'.repeat(32)} (see: parley app list)\n` });

    const list = await parley(['customer', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${cred.customerKey}  cli int test  ${app}  \\S+  -$`, 'm'));
    expect(list.stdout).not.toContain(cred.customerSecret);

    expect(await parley(['customer', 'revoke', cred.customerKey])).toEqual({ code: 0, stdout: `revoked customer key ${cred.customerKey}\n`, stderr: '' });
    expect((await pool.query('SELECT revoked_at IS NOT NULL AS revoked FROM customer_credentials WHERE id = $1', [cred.customerKey])).rows).toEqual([
      { revoked: true },
    ]);
    expect((await parley(['customer', 'revoke', '0'.repeat(32)])).code).toBe(2);
  });

  it('deletes an app with its rows in the other tables and its credential grants', async () => {
    const doomed = freshId();
    const kept = freshId();
    for (const id of [doomed, kept]) expect((await parley(['app', 'ensure', '--id', id])).code).toBe(0);
    for (const id of [doomed, kept]) {
      await pool.query("INSERT INTO channels (app_id, channel_id) VALUES ($1, 'lobby')", [id]);
      await pool.query("INSERT INTO user_attributes (app_id, uid, key, value) VALUES ($1, 'alice', 'k', 'v')", [id]);
      await pool.query("INSERT INTO invitations (app_id, caller_uid, id, callee_uid, state) VALUES ($1, 'alice', 'i1', 'bob', 'SENT')", [id]);
    }
    const cred = json<{ customerKey: string }>(await parley(['customer', 'add', '--name', 'cli int test', '--app', doomed, '--app', kept, '--json']));

    expect(await parley(['app', 'delete', '--app', doomed])).toEqual({ code: 0, stdout: `deleted app ${doomed}\n`, stderr: '' });
    for (const table of ['channels', 'user_attributes', 'invitations']) {
      const count = async (id: string) => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE app_id = $1`, [id])).rows[0]!.n;
      expect([table, await count(doomed), await count(kept)]).toEqual([table, 0, 1]);
    }
    expect((await pool.query('SELECT app_ids FROM customer_credentials WHERE id = $1', [cred.customerKey])).rows).toEqual([{ app_ids: [kept] }]);
    for (const table of ['channels', 'user_attributes', 'invitations']) await pool.query(`DELETE FROM ${table} WHERE app_id = $1`, [kept]);
  });

  it('adds, lists and removes webhooks in the database (with their outbox rows); test needs the admin API', async () => {
    const id = freshId();
    expect((await parley(['app', 'ensure', '--id', id])).code).toBe(0);
    const added = json<{ id: string; secret: string; eventTypes: string[]; enabled: boolean }>(
      await parley([
        'webhook',
        'add',
        '--app',
        id,
        '--url',
        'https://backend.example.com/hook',
        '--events',
        'user.online,message.peer',
        '--disabled',
        '--json',
      ]),
    );
    expect(added).toMatchObject({ eventTypes: ['user.online', 'message.peer'], enabled: false, secret: expect.stringMatching(/^[\w-]{43}$/) });
    expect((await pool.query('SELECT secret, enabled FROM webhook_endpoints WHERE id = $1', [added.id])).rows).toEqual([
      { secret: added.secret, enabled: false },
    ]);
    const listed = json<{ id: string }[]>(await parley(['webhook', 'list', '--app', id, '--json']));
    expect(listed.map((w) => w.id)).toEqual([added.id]);
    expect(JSON.stringify(listed)).not.toContain(added.secret);

    const test = await parley(['webhook', 'test', '--app', id, added.id]);
    expect(test.code).toBe(2);
    expect(test.stderr).toContain('works only through the admin API');
    expect((await parley(['webhook', 'list', '--app', 'f'.repeat(32)])).stderr).toContain('unknown app');

    await pool.query(
      `INSERT INTO webhook_deliveries (notice_id, endpoint_id, app_id, event_type, ordering_key, body, state) VALUES (gen_random_uuid(), $1, $2, 'user.online', 'user:a', '{}', 2)`,
      [added.id, id],
    );
    expect(await parley(['webhook', 'remove', '--app', id, added.id])).toEqual({ code: 0, stdout: `removed webhook ${added.id}\n`, stderr: '' });
    expect((await pool.query('SELECT 1 FROM webhook_deliveries WHERE app_id = $1', [id])).rows).toEqual([]);
    expect((await parley(['webhook', 'remove', '--app', id, added.id])).code).toBe(2);
  });

  it('exits 1 with one clear line when Postgres cannot be reached', async () => {
    const run = await parley(['app', 'list'], { DATABASE_URL: 'postgresql://postgres:secret@127.0.0.1:1/parley' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'parley: cannot reach Postgres at postgresql://postgres:***@127.0.0.1:1/parley (connect ECONNREFUSED 127.0.0.1:1); set DATABASE_URL\n',
    );
  });
});
