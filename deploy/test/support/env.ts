import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, read } from './repo';

/**
 * What the deploy files may set in an app's environment: a variable must be both documented
 * (README "Configuration": the common table, the app's table, its heading) and read by the app
 * (its config schema, the platform's common/database shapes, or the OpenTelemetry start-up code).
 * That keeps docker-compose.yml and deploy/k8s in step with the apps.
 */
export interface AppEnv {
  documented: Set<string>;
  read: Set<string>;
  /** Set when the README has no table for the app: only the common variables count as documented. */
  missingTable?: string;
}

const CAPS = /`([A-Z][A-Z0-9_]*)`/g;
const names = (text: string): string[] => [...text.matchAll(CAPS)].map((m) => m[1]!);

/**
 * README section "## Configuration": a paragraph naming the app ("Gateway:", "Media service …:",
 * "API server …:" for apps/api) then a table. The paragraph's first word, lower-cased, is the app.
 */
export function readmeEnvTables(readme = read('README.md')): Map<string, Set<string>> {
  const start = readme.indexOf('\n## Configuration');
  if (start < 0) throw new Error('README.md has no "## Configuration" section');
  const end = readme.indexOf('\n## ', start + 1);
  const lines = readme.slice(start, end < 0 ? undefined : end).split('\n');
  const tables = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of lines) {
    if (line.startsWith('|')) {
      if (current && !/^\|\s*-/.test(line) && !/^\|\s*variable\s*\|/i.test(line)) for (const n of names(line)) current.add(n);
      continue;
    }
    const heading = /^([A-Z][a-z]+|[A-Z]{2,})\b.*:\s*$/.exec(line.trim());
    if (heading) {
      const key = heading[1]!.toLowerCase();
      current = new Set(names(line));
      tables.set(key === 'common' ? 'common' : key, current);
    } else if (line.trim() !== '') {
      current = undefined;
    }
  }
  if (!tables.has('common')) throw new Error('README.md: no "Common to every app:" table');
  return tables;
}

/** Keys of the zod config objects in a file: lines like `  NAME: env.int(…)`. */
const configKeys = (source: string): string[] => [...source.matchAll(/^\s+([A-Z][A-Z0-9_]*)\s*:/gm)].map((m) => m[1]!);
/** `process.env['X']`, `process.env.X`. */
const envReads = (source: string): string[] =>
  [...source.matchAll(/process\.env(?:\[['"]([A-Z][A-Z0-9_]*)['"]\]|\.([A-Z][A-Z0-9_]*))/g)].map((m) => (m[1] ?? m[2])!);

/** Everything the platform reads for every app: common and database shapes, telemetry. */
function platformReads(): string[] {
  return [...configKeys(read('libs/platform/src/config/load-config.ts')), ...envReads(read('libs/platform/src/telemetry/index.ts'))];
}

export function appEnv(app: string, tables = readmeEnvTables()): AppEnv {
  const appTable = tables.get(app);
  const configDir = join('apps', app, 'src/config');
  const files = readdirSync(join(ROOT, configDir)).filter((f) => f.endsWith('.config.ts'));
  if (files.length === 0) throw new Error(`${configDir}: no *.config.ts`);
  return {
    documented: new Set([...tables.get('common')!, ...(appTable ?? [])]),
    read: new Set([...platformReads(), ...files.flatMap((f) => configKeys(read(join(configDir, f))))]),
    ...(appTable
      ? {}
      : {
          missingTable: `README.md has no configuration table for ${app} (section "Configuration": a line "${app.toUpperCase()} …:" or "${app[0]!.toUpperCase()}${app.slice(1)} …:", then a table)`,
        }),
  };
}

/** The migration tool (tools/migrate) reads DATABASE_URL and MIGRATE_DEBUG. */
export function migrateEnv(): AppEnv {
  const dir = 'tools/migrate';
  const sources = readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.mjs'));
  const readVars = new Set(sources.flatMap((f) => envReads(read(join(dir, f)))));
  return { documented: new Set(names(read(join(dir, 'README.md')))), read: readVars };
}

/** Problems with the variables `set` for `who` (empty when all are documented and read). */
export function envProblems(who: string, set: Iterable<string>, env: AppEnv): string[] {
  const problems: string[] = env.missingTable ? [`${who}: ${env.missingTable}`] : [];
  for (const name of set) {
    if (!env.documented.has(name)) problems.push(`${who}: ${name} is not in the README's configuration tables for this app`);
    if (!env.read.has(name)) problems.push(`${who}: ${name} is not read by the app (not in its config schema)`);
  }
  return problems;
}

/** Names that hold credentials: their values must come from secrets, never from the file. */
export const SECRET_NAME = /(PASSWORD|SECRET|ACCESS_KEY|ROOT_USER|TOKEN|CREDENTIAL|PRIVATE_KEY|CERTIFICATE)/i;

/** A URL with a password in it: `scheme://user:password@host`. Returns the password part. */
export function urlPassword(value: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/:@\s]+:(\$\{[^}]*\}|[^@\s/]+)@/i.exec(value)?.[1];
}
