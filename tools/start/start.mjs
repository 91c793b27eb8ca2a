#!/usr/bin/env node
// `npm start`: the whole Parley stack on localhost for a developer. Builds the apps, checks every
// app's configuration (all problems of all apps in one report, before anything starts), checks NATS
// and Postgres, migrates, runs an embedded S3 server (unless S3_ENDPOINT is set), starts every
// service, webhooks, the server API and the gateway ×N, makes sure a static demo app exists. It stops it all on Ctrl-C,
// SIGTERM, SIGHUP, or when its parent process goes away; the apps stop by themselves when it dies
// (their IPC channel to it closes). Plain Node ESM, no build step. `--help` lists options and variables.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Supervisor } from './supervisor.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** Same order as SERVICES in libs/contracts; gateways start after them. */
const SERVICES = ['presence', 'channel', 'attributes', 'invitation', 'media', 'history'];
/** HTTP-only apps without a port of their own (PORT 0, like the services), started with them. */
const WORKERS = ['webhooks'];
/** Every app the launcher runs, in start order. */
const APPS = [...SERVICES, ...WORKERS, 'api', 'gateway'];
const STOP_DEADLINE_MS = 10_000;
/** How often the launcher looks whether its parent (npm, a shell) is still there. */
const PARENT_POLL_MS = 500;
/** Exit code for an invalid configuration, as the apps' own (EX_CONFIG). */
const EX_CONFIG = 78;
const DEFAULTS = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/parley',
  NATS_URL: 'nats://127.0.0.1:4222',
  LOG_LEVEL: 'info',
  PARLEY_SUBJECT_PREFIX: 'parley',
  PARLEY_REPLICAS: '1',
  GATEWAY_PORT: '8080',
  S3_PORT: '9000',
  API_PORT: '8090',
  S3_BUCKET: 'parley-media',
  S3_REGION: 'us-east-1',
  PARLEY_DEMO_APP_ID: '0123456789abcdef0123456789abcdef',
  PARLEY_READY_TIMEOUT_MS: '60000',
};

const USAGE = `usage: npm start [-- options]        (or: bash scripts/start.sh [options])

Runs Parley on this machine: every service, webhooks, the server API and the gateway, N replicas each.

options:
  --replicas N     replicas of each app (default PARLEY_REPLICAS or 1); gateway i listens on GATEWAY_PORT+i
  --no-build       use the apps already built in dist/apps
  --no-migrate     do not apply the database migrations (the schema is already current)
  --raw            show the apps' JSON log lines as they are (default: compact "time LEVEL msg",
                   without Nest's boot chatter)
  -h, --help       this text

environment (defaults):
  DATABASE_URL           ${DEFAULTS.DATABASE_URL}
  NATS_URL               ${DEFAULTS.NATS_URL}
  LOG_LEVEL              ${DEFAULTS.LOG_LEVEL}
  PARLEY_SUBJECT_PREFIX  ${DEFAULTS.PARLEY_SUBJECT_PREFIX}
  GATEWAY_PORT           ${DEFAULTS.GATEWAY_PORT} (first gateway's port)
  API_PORT               ${DEFAULTS.API_PORT} (first server API replica's port; its docs at /docs)
  ADMIN_TOKEN            unset: a random admin token for this run, printed when ready
  S3_ENDPOINT            unset: an embedded s3rver on 127.0.0.1:S3_PORT (${DEFAULTS.S3_PORT}) storing in ./tmp/s3;
                         set: S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION are passed on
  S3_BUCKET              ${DEFAULTS.S3_BUCKET}
  PARLEY_DEMO_APP_ID     ${DEFAULTS.PARLEY_DEMO_APP_ID} (a static app, created if missing)
  API_CORS_ORIGINS       unset: the gateways' origins (http://127.0.0.1:GATEWAY_PORT+i and http://localhost:…),
                         so the console they serve at /console/ may call the server API

NATS and Postgres must answer; at their local default addresses scripts/services.sh starts them.
Every app's own variables (README "Configuration") are passed on and checked before any app starts.
Webhooks may go to http:// and local receivers here (WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOW_PRIVATE
default to true for webhooks and the api; set them to false to try the production rules).`;

// A closed terminal or pipe must not crash the launcher halfway through stopping the apps.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
const say = (line) => process.stdout.write(`${line}\n`);
const step = (line) => say(`\n== ${line}`);

class StartError extends Error {
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        replicas: { type: 'string' },
        'no-build': { type: 'boolean' },
        'no-migrate': { type: 'boolean' },
        raw: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    throw new StartError(`${err.message.replace(/\s*\n\s*/g, ' ')}\n\n${USAGE}`, 2);
  }
  const { values } = parsed;
  const env = (name) => process.env[name] || DEFAULTS[name];
  const problems = [];
  const int = (what, text, min, max) => {
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(n >= min && n <= max)) problems.push(`${what}="${text}" must be a whole number from ${min} to ${max}`);
    return n;
  };
  const opts = {
    help: values.help === true,
    build: values['no-build'] !== true,
    migrate: values['no-migrate'] !== true,
    raw: values.raw === true,
    replicas: int(values.replicas !== undefined ? '--replicas' : 'PARLEY_REPLICAS', values.replicas ?? env('PARLEY_REPLICAS'), 1, 16),
    databaseUrl: env('DATABASE_URL'),
    natsUrl: env('NATS_URL'),
    logLevel: env('LOG_LEVEL'),
    prefix: env('PARLEY_SUBJECT_PREFIX'),
    gatewayPort: int('GATEWAY_PORT', env('GATEWAY_PORT'), 1, 65535),
    apiPort: int('API_PORT', env('API_PORT'), 1, 65535),
    adminToken: process.env.ADMIN_TOKEN || randomBytes(18).toString('base64url'),
    s3Port: int('S3_PORT', env('S3_PORT'), 1, 65535),
    demoAppId: env('PARLEY_DEMO_APP_ID'),
    readyTimeoutMs: int('PARLEY_READY_TIMEOUT_MS', env('PARLEY_READY_TIMEOUT_MS'), 1000, 600_000),
  };
  const lastGateway = opts.gatewayPort + opts.replicas - 1;
  if (problems.length === 0 && lastGateway > 65535)
    problems.push(`GATEWAY_PORT="${opts.gatewayPort}" leaves no room for ${opts.replicas} gateways (ports up to ${lastGateway})`);
  const lastApi = opts.apiPort + opts.replicas - 1;
  if (problems.length === 0 && lastApi > 65535)
    problems.push(`API_PORT="${opts.apiPort}" leaves no room for ${opts.replicas} server API replicas (ports up to ${lastApi})`);
  if (problems.length > 0) throw new StartError(`invalid options:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 2);
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Child commands of the start sequence (build, config checks, migrate, cli), stopped with it. Each
// runs in a process group of its own so that stopping one stops what it started (nx's workers).

/** @type {Map<import('node:child_process').ChildProcess, Promise<void>>} running step → its exit */
const steps = new Map();

function run(command, args, { env = process.env, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'] });
    let output = '';
    if (capture) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.once('error', (err) => {
      steps.delete(child);
      reject(new StartError(`${command}: ${err.message}`));
    });
    // 'close', not 'exit': the captured output is complete then.
    const closed = new Promise((done) =>
      child.once('close', (code, signal) => {
        steps.delete(child);
        resolve({ code: signal ? 128 : code, output });
        done();
      }),
    );
    if (child.pid !== undefined) steps.set(child, closed);
  });
}

function signalSteps(signal) {
  for (const child of steps.keys()) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Checks.

function hostPort(url, defaultPort) {
  const u = new URL(url.split(',')[0].trim());
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort), local: ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname) };
}

function answers({ host, port }, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: timeoutMs });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function checkServices(opts) {
  step('NATS and Postgres');
  const nats = { name: 'NATS', env: 'NATS_URL', url: opts.natsUrl, ...hostPort(opts.natsUrl, 4222) };
  const pg = { name: 'Postgres', env: 'DATABASE_URL', url: redact(opts.databaseUrl), ...hostPort(opts.databaseUrl, 5432) };
  const down = async () => (await Promise.all([nats, pg].map(async (s) => ((await answers(s)) ? null : s)))).filter(Boolean);
  let missing = await down();
  // services.sh knows only the local default ports.
  const isLocalDefault = (s) => s.local && s.port === (s === nats ? 4222 : 5432);
  if (missing.some(isLocalDefault)) {
    await run('bash', ['scripts/services.sh', 'ensure']);
    missing = await down();
  }
  if (missing.length > 0) {
    throw new StartError(missing.map((s) => `${s.name} does not answer at ${s.host}:${s.port} (${s.env}=${s.url})`).join('\n'));
  }
  say(`NATS ${nats.host}:${nats.port} and Postgres ${pg.host}:${pg.port} answer`);
}

async function checkPorts(opts) {
  const wanted = Array.from({ length: opts.replicas }, (_, i) => ({ port: opts.gatewayPort + i, what: `gateway#${i}`, hint: 'GATEWAY_PORT' }));
  for (let i = 0; i < opts.replicas; i++) wanted.push({ port: opts.apiPort + i, what: `api#${i}`, hint: 'API_PORT' });
  if (!process.env.S3_ENDPOINT) wanted.push({ port: opts.s3Port, what: 'the embedded S3 server', hint: 'S3_PORT (or S3_ENDPOINT)' });
  for (const { port, what, hint } of wanted) {
    if (!(await portFree(port))) throw new StartError(`port ${port} (for ${what}) is in use: is Parley already running? Or choose another with ${hint}.`);
  }
}

function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

// ---------------------------------------------------------------------------------------------
// S3.

/** What the apps get to reach the embedded s3rver; nothing when S3_ENDPOINT names a server. */
function embeddedS3Env(opts) {
  if (process.env.S3_ENDPOINT) return {};
  return {
    S3_ENDPOINT: `http://127.0.0.1:${opts.s3Port}`,
    S3_ACCESS_KEY: 'S3RVER',
    S3_SECRET_KEY: 'S3RVER',
    S3_BUCKET: process.env.S3_BUCKET || DEFAULTS.S3_BUCKET,
    S3_REGION: process.env.S3_REGION || DEFAULTS.S3_REGION,
  };
}

async function startS3(opts) {
  if (process.env.S3_ENDPOINT) {
    say(`S3: ${process.env.S3_ENDPOINT} (from S3_ENDPOINT), bucket ${process.env.S3_BUCKET || '(S3_BUCKET unset)'}`);
    return null;
  }
  const { default: S3rver } = await import('s3rver');
  const directory = join(ROOT, 'tmp/s3');
  mkdirSync(directory, { recursive: true });
  const { S3_ENDPOINT: endpoint, S3_BUCKET: bucket } = embeddedS3Env(opts);
  const server = new S3rver({ address: '127.0.0.1', port: opts.s3Port, directory, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  await server.run();
  say(`S3: embedded s3rver at ${endpoint}, bucket ${bucket}, data in tmp/s3`);
  return server;
}

// ---------------------------------------------------------------------------------------------
// The apps' configuration.

/** The gateways' own origins (as a browser names them): the operator console they serve calls the api from there. */
function gatewayOrigins(opts) {
  return Array.from({ length: opts.replicas }, (_, i) => opts.gatewayPort + i).flatMap((port) => [`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
}

/** The environment the launcher gives replica `index` of `app`. */
function appEnvFor(opts) {
  const s3 = embeddedS3Env(opts);
  const apiUrl = `http://127.0.0.1:${opts.apiPort}`;
  return (app, index) => ({
    ...process.env,
    NATS_URL: opts.natsUrl,
    DATABASE_URL: opts.databaseUrl,
    LOG_LEVEL: opts.logLevel,
    PARLEY_SUBJECT_PREFIX: opts.prefix,
    ...s3,
    PORT: app === 'gateway' ? String(opts.gatewayPort + index) : app === 'api' ? String(opts.apiPort + index) : '0',
    // The console each gateway serves (/console/) calls this api, and shows the demo app first.
    ...(app === 'gateway' ? { GATEWAY_ID: `local-gw${index}`, CONSOLE_API_URL: apiUrl, CONSOLE_DEMO_APP_ID: opts.demoAppId } : {}),
    ...(app === 'api' ? { ADMIN_TOKEN: opts.adminToken, API_CORS_ORIGINS: process.env.API_CORS_ORIGINS || gatewayOrigins(opts).join(',') } : {}),
    // Development: webhook receivers on this machine (http://127.0.0.1:…). Off in compose and k8s.
    ...(app === 'webhooks' || app === 'api'
      ? { WEBHOOK_ALLOW_HTTP: process.env.WEBHOOK_ALLOW_HTTP || 'true', WEBHOOK_ALLOW_PRIVATE: process.env.WEBHOOK_ALLOW_PRIVATE || 'true' }
      : {}),
  });
}

/**
 * Runs every built app with --check-config (it validates its configuration and exits, connecting
 * nowhere) in the environment it will get, and reports the problems of all apps at once.
 */
async function checkConfig(apps, envFor) {
  step('check the configuration of every app');
  const results = await Promise.all(
    apps.map(async (app) => ({
      app,
      ...(await run(process.execPath, [`dist/apps/${app}/main.js`, '--check-config'], { env: envFor(app, 0), capture: true })),
    })),
  );
  if (state.stopping) return;
  /** problem line → the apps that reported it */
  const problems = new Map();
  const failures = [];
  for (const { app, code, output } of results) {
    if (code === 0) continue;
    const lines =
      code === EX_CONFIG
        ? output
            .split('\n')
            .filter((l) => l.startsWith('  - '))
            .map((l) => l.slice(4))
        : [];
    if (lines.length === 0)
      failures.push(
        `${app} could not check its configuration (exit ${code}):\n${output
          .trimEnd()
          .split('\n')
          .slice(-10)
          .map((l) => `    ${l}`)
          .join('\n')}`,
      );
    for (const line of lines) problems.set(line, [...(problems.get(line) ?? []), app]);
  }
  if (problems.size === 0 && failures.length === 0) return say(`${apps.join(', ')}: configuration valid`);
  const who = (list) => (list.length === apps.length ? 'every app' : list.join(', '));
  const report = [
    ...(problems.size > 0 ? ['invalid configuration (nothing was started):', ...[...problems].map(([line, list]) => `  - ${who(list)}: ${line}`)] : []),
    ...failures,
  ];
  throw new StartError(report.join('\n'), problems.size > 0 ? EX_CONFIG : 1);
}

// ---------------------------------------------------------------------------------------------

const state = { supervisor: null, s3: null, stopping: false, parentWatch: null };

/** Stops the app processes (SIGTERM, SIGKILL after the deadline), the S3 server, then exits. */
async function shutdown(why, exitCode) {
  if (state.stopping) {
    say(`\n${why} again: killing everything now`);
    process.exit(1); // the 'exit' handler kills every child
  }
  state.stopping = true;
  clearInterval(state.parentWatch);
  if (!state.supervisor && !state.s3 && steps.size === 0) process.exit(exitCode);
  say(`\n== ${why}: stopping Parley (up to ${STOP_DEADLINE_MS / 1000} s)`);
  signalSteps('SIGTERM');
  let timer;
  const deadline = new Promise((resolve) => (timer = setTimeout(resolve, STOP_DEADLINE_MS)));
  await Promise.race([Promise.all([...steps.values(), state.supervisor?.stopAll(STOP_DEADLINE_MS)]), deadline]);
  clearTimeout(timer);
  await state.s3?.close().catch(() => undefined);
  say('== stopped');
  process.exit(exitCode);
}

/**
 * A launcher whose parent went away (npm killed, its terminal gone) stops: a process manager that
 * signalled only its own child must not leave Parley running without anyone to stop it.
 */
function watchParent() {
  const parent = process.ppid;
  if (parent <= 1) return; // started orphaned on purpose (a daemon)
  state.parentWatch = setInterval(() => {
    if (process.ppid !== parent) void shutdown(`parent process ${parent} exited`, 0);
  }, PARENT_POLL_MS);
  state.parentWatch.unref();
}

async function main() {
  const opts = options();
  if (opts.help) return say(USAGE);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(signal, 0));
  // Last resort: nothing may outlive `npm start`.
  process.on('exit', () => {
    state.supervisor?.killAllNow();
    signalSteps('SIGKILL');
  });
  watchParent();

  await checkPorts(opts);

  const apps = [...APPS, 'cli'];
  if (opts.build) {
    step('build the apps');
    const build = await run('npx', ['nx', 'run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=static'], {
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
    });
    if (build.code !== 0) throw new StartError('build failed (see above)');
  }
  const unbuilt = apps.filter((app) => !existsSync(join(ROOT, 'dist/apps', app, 'main.js')));
  if (unbuilt.length > 0) throw new StartError(`not built: ${unbuilt.map((a) => `dist/apps/${a}/main.js`).join(', ')} (run without --no-build)`);
  if (state.stopping) return;

  const envFor = appEnvFor(opts);
  await checkConfig(APPS, envFor);
  if (state.stopping) return;

  await checkServices(opts);

  if (opts.migrate) {
    step(`migrate ${redact(opts.databaseUrl)}`);
    const migrate = await run(process.execPath, ['tools/migrate/cli.mjs', 'deploy'], { env: { ...process.env, DATABASE_URL: opts.databaseUrl } });
    if (state.stopping) return;
    if (migrate.code !== 0) throw new StartError('migration failed (see above)');
  }

  step('S3');
  state.s3 = await startS3(opts);
  if (state.stopping) return;

  step(`start ${[...SERVICES, ...WORKERS].join(', ')}, api and gateway, ${opts.replicas} of each`);
  const supervisor = new Supervisor({
    root: ROOT,
    raw: opts.raw,
    readyTimeoutMs: opts.readyTimeoutMs,
    labelWidth: Math.max(...APPS.map((app) => `${app}#${opts.replicas - 1}`.length)),
    log: say,
    env: envFor,
  });
  state.supervisor = supervisor;
  const replicas = (app) => Array.from({ length: opts.replicas }, (_, i) => supervisor.start(app, i));
  try {
    await Promise.all([...SERVICES, ...WORKERS].flatMap(replicas));
    await Promise.all([...replicas('api'), ...replicas('gateway')]);
  } catch (err) {
    if (state.stopping) return;
    const failed = (s) => s.port === null && s.child && (s.child.exitCode !== null || s.child.signalCode !== null);
    for (const slot of supervisor.slots.filter(failed)) {
      say(`\n!! ${slot.label} exited before it was ready. Its last lines:`);
      supervisor.printTail(slot);
    }
    throw new StartError(err.message);
  }

  step('demo app');
  // On the database directly: a PARLEY_API_URL in the shell names some other deployment's admin API.
  const ensure = await run(process.execPath, ['dist/apps/cli/main.js', 'app', 'ensure', '--id', opts.demoAppId, '--name', 'demo'], {
    env: { ...process.env, DATABASE_URL: opts.databaseUrl, PARLEY_API_URL: '' },
    capture: true,
  });
  say(ensure.output.trimEnd());
  // cli exit 2 here: the app exists with a certificate; anything else non-zero: it could not check.
  const demoNote =
    ensure.code === 0
      ? 'static: log in without a token'
      : ensure.code === 2
        ? 'has a certificate: make tokens with the parley CLI'
        : 'could not be checked, see above';

  const urls = Array.from({ length: opts.replicas }, (_, i) => opts.gatewayPort + i);
  const more =
    urls.length > 1
      ? `   (also ${urls
          .slice(1)
          .map((p) => `:${p}`)
          .join(', ')})`
      : '';
  say('');
  say('Parley is running.');
  say(`  SDK URL      ws://127.0.0.1:${urls[0]}/v1/ws${more}`);
  say(`  Health       http://127.0.0.1:${urls[0]}/health/ready`);
  say(`  Server API   http://127.0.0.1:${opts.apiPort}   (docs: http://127.0.0.1:${opts.apiPort}/docs)`);
  say(`  Console      http://127.0.0.1:${urls[0]}/console/   (operator console; the server API lets its origins in)`);
  say(
    `  Admin token  ${process.env.ADMIN_TOKEN ? '(ADMIN_TOKEN from the environment)' : `${opts.adminToken}   (generated for this run; set ADMIN_TOKEN to choose it)`}`,
  );
  say(`  Demo app id  ${opts.demoAppId} (${demoNote})`);
  const webhookEnv = envFor('webhooks', 0);
  const local = webhookEnv.WEBHOOK_ALLOW_HTTP === 'true' && webhookEnv.WEBHOOK_ALLOW_PRIVATE === 'true';
  say(`  Webhooks     ${local ? 'http:// receivers on this machine allowed' : 'https:// public receivers only'}   (npm run parley -- webhook add --app …)`);
  say('  Ctrl-C stops everything.');
  say('');
}

main().catch(async (err) => {
  if (state.stopping) return; // Ctrl-C during a step: shutdown() exits
  if (err instanceof StartError) process.stderr.write(`\nnpm start: ${err.message}\n`);
  else process.stderr.write(`\nnpm start: unexpected error: ${err.stack ?? err}\n`);
  await shutdown('start failed', err instanceof StartError ? err.exitCode : 1);
});
