import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';

/** The workspace root (deploy/test/support → ../../..). */
export const ROOT = join(__dirname, '../../..');

export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
export const exists = (path: string): boolean => existsSync(join(ROOT, path));

/** Parley's long-running apps: every apps/<name> with a src/main.ts, except the admin CLI. */
export function parleyApps(): string[] {
  return readdirSync(join(ROOT, 'apps'))
    .filter((name) => name !== 'cli' && existsSync(join(ROOT, 'apps', name, 'src/main.ts')))
    .sort();
}

export class YamlError extends Error {
  override name = 'YamlError';
}

/** One YAML document (merge keys `<<` resolved, as docker compose does); syntax errors throw. */
export function parseYaml(text: string, what: string): unknown {
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  if (doc.errors.length > 0) throw new YamlError(`${what}: ${doc.errors.map((e) => e.message).join('; ')}`);
  return doc.toJS({ maxAliasCount: -1 });
}

/** Every non-empty document of a multi-document YAML file. */
export function parseYamlDocuments(text: string, what: string): unknown[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length > 0) throw new YamlError(`${what}: ${errors.join('; ')}`);
  return docs.map((d) => d.toJS() as unknown).filter((d) => d !== null && d !== undefined);
}

/** Files under a directory (recursive), as paths relative to ROOT. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(ROOT, p));
    }
  };
  walk(join(ROOT, dir));
  return out.sort();
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy to mutate in "must fail" tests (YAML aliases become separate copies). */
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
