import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { AppEnv, SECRET_NAME, envProblems, urlPassword } from './env';
import { exists, isRecord } from './repo';
import { imageProblem } from './images';
import { OUTBOUND_APPS } from './k8s';

export type Compose = Record<string, unknown> & { services: Record<string, Service> };
export type Service = Record<string, unknown>;

/** The Compose Specification's JSON schema, as shipped by the dclint package (npm). */
export function composeSchemaValidator(): (doc: unknown) => string[] {
  const pkg = dirname(require.resolve('dclint/package.json'));
  const schema = JSON.parse(readFileSync(join(pkg, 'schemas/compose.schema.json'), 'utf8')) as Record<string, unknown>;
  // The spec names its meta-schema by an https URL ajv does not know; it is draft-07, which ajv runs by default.
  delete schema['$schema'];
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return (doc) =>
    validate(doc) ? [] : (validate.errors ?? []).map((e: ErrorObject) => `schema: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/) : []);

/** What a Parley service runs: the image's first argument (gateway, presence, …, migrate). */
export function parleyCommand(service: Service, parleyImage: string): string | undefined {
  if (service['image'] !== parleyImage) return undefined;
  return stringList(service['command'])[0] ?? 'gateway';
}

export function environment(service: Service): Record<string, string> {
  const env = service['environment'];
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => String(e).split(/=(.*)/s, 2) as [string, string]));
  }
  return isRecord(env) ? Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)])) : {};
}

export function dependsOn(service: Service): Record<string, string> {
  const d = service['depends_on'];
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [String(n), 'service_started']));
  if (!isRecord(d)) return {};
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, isRecord(v) ? String(v['condition'] ?? 'service_started') : 'service_started']));
}

function hasHealthcheck(service: Service): boolean {
  const h = service['healthcheck'];
  return isRecord(h) && h['disable'] !== true && Array.isArray(h['test']) && h['test'].length > 0 && h['test'][0] !== 'NONE';
}

const isOneShot = (service: Service) => service['restart'] === 'no';

/** "20s", "1m30s", "500ms" → milliseconds. */
export function durationMs(v: unknown): number {
  const text = String(v ?? '');
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    ms += Number(n) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return ms;
}

/** Interpolation without a default: `${NAME}`, `${NAME?msg}`, `${NAME:?msg}`. */
const FROM_ENV_FILE = /^\$\{[A-Z][A-Z0-9_]*(?::?\?[^}]*)?\}$/;

export interface ComposeContext {
  parleyImage: string;
  apps: string[];
  envOf: (app: string) => AppEnv;
  migrateEnv: AppEnv;
  /** Variables the example env file declares. */
  envExample: Set<string>;
}

/** Every rule docker-compose.yml must meet; [] when it does. */
export function composeProblems(doc: Compose, ctx: ComposeContext): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  const names = Object.keys(services);
  const byImage = (prefix: string) => names.filter((n) => String(services[n]!['image'] ?? '').startsWith(prefix));
  const parley = names.filter((n) => parleyCommand(services[n]!, ctx.parleyImage) !== undefined);
  const migrate = parley.filter((n) => parleyCommand(services[n]!, ctx.parleyImage) === 'migrate');
  const appService = (app: string) => parley.find((n) => parleyCommand(services[n]!, ctx.parleyImage) === app);

  if (migrate.length !== 1) problems.push(`exactly one migration service (image ${ctx.parleyImage}, command migrate) expected, found ${migrate.length}`);
  for (const infra of ['nats:', 'postgres:', 'minio/minio:', 'minio/mc:', 'otel/opentelemetry-collector', 'jaegertracing/']) {
    if (byImage(infra).length === 0) problems.push(`no ${infra} service`);
  }

  // Every service: pinned image, health, dependencies that can be met.
  for (const name of names) {
    const s = services[name]!;
    const image = s['image'];
    if (typeof image !== 'string') problems.push(`${name}: no image`);
    else {
      const bad = imageProblem(image);
      if (bad) problems.push(`${name}: image ${bad}`);
    }
    if (!isOneShot(s) && !hasHealthcheck(s) && typeof s['x-no-healthcheck'] !== 'string') {
      problems.push(`${name}: no healthcheck (or an x-no-healthcheck reason)`);
    }
    for (const [dep, condition] of Object.entries(dependsOn(s))) {
      const target = services[dep];
      if (!target) problems.push(`${name}: depends on unknown service ${dep}`);
      else if (condition === 'service_healthy' && !hasHealthcheck(target))
        problems.push(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      else if (condition === 'service_completed_successfully' && !isOneShot(target))
        problems.push(`${name}: waits for ${dep} to complete, but ${dep} restarts`);
    }
    problems.push(...secretProblems(name, s));
    for (const v of stringList(s['volumes'])) {
      const source = v.split(':')[0]!;
      if (source.startsWith('./') && !exists(source)) problems.push(`${name}: mounts ${source}, which does not exist`);
    }
  }

  // One-shots: someone waits for them.
  for (const name of names.filter((n) => isOneShot(services[n]!))) {
    if (!names.some((n) => dependsOn(services[n]!)[name] === 'service_completed_successfully')) problems.push(`${name}: one-shot nobody waits for`);
  }

  // Parley apps.
  const nats = byImage('nats:');
  const postgres = byImage('postgres:');
  for (const app of ctx.apps) {
    const name = appService(app);
    if (!name) {
      problems.push(`no service runs ${app}`);
      continue;
    }
    const s = services[name]!;
    const deploy = isRecord(s['deploy']) ? s['deploy'] : {};
    if (!(Number(deploy['replicas']) >= 2)) problems.push(`${name}: deploy.replicas must be at least 2`);
    if (s['container_name'] !== undefined) problems.push(`${name}: container_name prevents replicas`);
    if (s['ports'] !== undefined) problems.push(`${name}: publishes ports (replicas would clash; the gateway is reached through its load balancer)`);
    const health = isRecord(s['healthcheck']) ? JSON.stringify(s['healthcheck']['test']) : '';
    if (!/\/health\/(ready|live)/.test(health)) problems.push(`${name}: healthcheck must call /health/ready or /health/live`);
    const deps = dependsOn(s);
    for (const m of migrate) if (deps[m] !== 'service_completed_successfully') problems.push(`${name}: must wait for ${m} (service_completed_successfully)`);
    for (const infra of [...nats, ...postgres]) if (deps[infra] !== 'service_healthy') problems.push(`${name}: must wait for ${infra} (service_healthy)`);
    if (app === 'media') {
      for (const m of byImage('minio/minio:')) if (deps[m] !== 'service_healthy') problems.push(`${name}: must wait for ${m} (service_healthy)`);
      for (const m of byImage('minio/mc:'))
        if (deps[m] !== 'service_completed_successfully') problems.push(`${name}: must wait for ${m} (service_completed_successfully)`);
    }
    const env = environment(s);
    if (env['HOST'] !== '0.0.0.0') problems.push(`${name}: HOST must be 0.0.0.0 (the default 127.0.0.1 is unreachable from other containers)`);
    if (!/^\d+$/.test(env['PORT'] ?? '') || env['PORT'] === '0') problems.push(`${name}: PORT must be a fixed port (health checks and scrapes use it)`);
    problems.push(...envProblems(name, Object.keys(env), ctx.envOf(app)));
    for (const v of OUTBOUND_APPS[app]?.forbiddenEnv ?? [])
      if (env[v] !== undefined && env[v] !== 'false') problems.push(`${name}: ${v} must stay false here (npm start and tests set it)`);
    const shutdown = Number(env['SHUTDOWN_DEADLINE_MS'] ?? 10_000) + (app === 'gateway' ? Number(env['DRAIN_TIMEOUT_MS'] ?? 5_000) : 0);
    if (!(durationMs(s['stop_grace_period'] ?? '10s') > shutdown))
      problems.push(`${name}: stop_grace_period must exceed ${shutdown} ms (drain and shutdown deadline)`);
  }
  for (const m of migrate) problems.push(...envProblems(m, Object.keys(environment(services[m]!)), ctx.migrateEnv));

  // The gateway (SDK clients) and the api (app servers) are reachable: a published service in front of each.
  for (const app of ['gateway', 'api'].filter((a) => ctx.apps.includes(a))) {
    const name = appService(app);
    if (!name) continue;
    const front = names.filter((n) => dependsOn(services[n]!)[name] !== undefined && services[n]!['ports'] !== undefined);
    if (front.length === 0) problems.push(`nothing publishes a port in front of ${name}`);
  }
  // The api does not start without its admin token in the image (NODE_ENV=production).
  const api = appService('api');
  if (api && environment(services[api]!)['ADMIN_TOKEN'] === undefined) problems.push(`${api}: ADMIN_TOKEN is required (from the env file)`);

  // Interpolated variables are all in the example env file.
  const used = new Set([...JSON.stringify(doc).matchAll(/\$\{([A-Z][A-Z0-9_]*)(:?\?)/g)].map((m) => m[1]!));
  for (const v of used) if (!ctx.envExample.has(v)) problems.push(`\${${v}} is required but missing from deploy/compose/.env.example`);
  return problems;
}

function secretProblems(name: string, service: Service): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(environment(service))) {
    if (SECRET_NAME.test(key) && !FROM_ENV_FILE.test(value)) problems.push(`${name}: ${key} must come from the env file (\${${key}:?…}), not be written here`);
    const password = urlPassword(value);
    if (password !== undefined && !FROM_ENV_FILE.test(password)) problems.push(`${name}: ${key} has a password written in the URL`);
  }
  return problems;
}

/** KEY=value lines (comments and blank lines skipped; `# KEY=` lines count as documented too). */
export function envFileNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}
