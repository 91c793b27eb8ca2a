import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DATA_TABLES, DECLARED_VIEWS, DIRECT_READERS, ROW_OWNED_TABLES, TABLE_OWNERS, TOOL_ACCESS } from './data-ownership';

const ROOT = join(__dirname, '../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Prisma model (delegate) name → table, from schema.prisma's `model X { … @@map("y") }`. */
function modelTables(): Map<string, string> {
  const schema = readFileSync(join(ROOT, 'prisma/schema.prisma'), 'utf8');
  const map = new Map<string, string>();
  for (const m of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const table = /@@map\("(\w+)"\)/.exec(m[2]!)?.[1] ?? m[1]!;
    map.set(m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1), table);
  }
  return map;
}

/** Tables whose model has an app_id column. */
function appKeyedTables(): string[] {
  const schema = readFileSync(join(ROOT, 'prisma/schema.prisma'), 'utf8');
  return [...schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)]
    .filter((m) => /@map\("app_id"\)/.test(m[2]!))
    .map((m) => /@@map\("(\w+)"\)/.exec(m[2]!)?.[1] ?? m[1]!);
}

/** Tables and views a source file touches: SQL after FROM / JOIN / INTO / UPDATE / DELETE FROM / USING, and Prisma delegates. */
function touched(source: string, models: Map<string, string>, known: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|USING|TABLE)\s+"?([a-z_][a-z0-9_]*)"?/gi)) {
    if (known.has(m[1]!)) names.add(m[1]!);
  }
  for (const m of source.matchAll(/\b(?:prisma|tx)\.(\w+)\.(?:find|create|update|upsert|delete|count|aggregate|groupBy)/g)) {
    const table = models.get(m[1]!);
    if (table) names.add(table);
  }
  return names;
}

/** Tables a source file writes: SQL INSERT INTO / UPDATE / DELETE FROM / TRUNCATE, and Prisma's writing calls. */
function written(source: string, models: Map<string, string>, known: Set<string>): Set<string> {
  const names = new Set<string>();
  for (const m of source.matchAll(/\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?([a-z_][a-z0-9_]*)"?/gi)) {
    if (known.has(m[1]!)) names.add(m[1]!);
  }
  for (const m of source.matchAll(/\b(?:prisma|tx)\.(\w+)\.(?:create|update|upsert|delete)/g)) {
    const table = models.get(m[1]!);
    if (table) names.add(table);
  }
  return names;
}

/** Whether `app` owns some rows of a table owned by rows (ROW_OWNED_TABLES). */
const ownsRowsOf = (name: string, app: string) => Object.values(ROW_OWNED_TABLES[name]?.owners ?? {}).includes(app);

/**
 * In a file of an owner of some rows of a table owned by rows: it must name (as SQL literals) one of
 * its own values and none of another owner's.
 */
function rowOwnershipProblems(source: string, app: string, names: Set<string>): string[] {
  const problems: string[] = [];
  for (const name of names) {
    const table = ROW_OWNED_TABLES[name];
    if (!table || !ownsRowsOf(name, app)) continue;
    const values = Object.entries(table.owners);
    const named = (value: string) => source.includes(`'${value}'`);
    if (!values.some(([value, owner]) => owner === app && named(value))) problems.push(`${name}: names none of its own ${table.column} values`);
    for (const [value, owner] of values) if (owner !== app && named(value)) problems.push(`${name}: names ${table.column} '${value}' of ${owner}`);
  }
  return problems;
}

describe('data ownership', () => {
  const models = modelTables();
  const known = new Set([...Object.keys(TABLE_OWNERS), ...Object.keys(DECLARED_VIEWS), ...Object.keys(ROW_OWNED_TABLES)]);

  it('declares an owner for every table of the schema', () => {
    for (const table of models.values()) expect(TABLE_OWNERS[table] ?? ROW_OWNED_TABLES[table]).toBeDefined();
  });

  it('every app touches only its own tables, the views declared for it and the tables it may read', () => {
    const problems: string[] = [];
    for (const app of readdirSync(join(ROOT, 'apps'))) {
      const src = join(ROOT, 'apps', app, 'src');
      for (const file of sources(src)) {
        const source = readFileSync(file, 'utf8');
        const writes = written(source, models, known);
        // A tool folder of an app (api/admin) has the access declared for it.
        const folder = `${app}/${file.slice(src.length + 1).split('/')[0]}`;
        const names = touched(source, models, known);
        for (const problem of rowOwnershipProblems(source, app, names)) problems.push(`${file.slice(ROOT.length + 1)}: ${problem}`);
        for (const name of names) {
          const ok =
            TABLE_OWNERS[name] === app ||
            ownsRowsOf(name, app) ||
            DECLARED_VIEWS[name]?.owner === app ||
            DECLARED_VIEWS[name]?.readers.includes(app) ||
            (DIRECT_READERS[name]?.includes(app) && !writes.has(name)) ||
            TOOL_ACCESS[app]?.includes(name) ||
            TOOL_ACCESS[folder]?.includes(name);
          if (!ok) problems.push(`${file.slice(ROOT.length + 1)} touches ${name} (owner ${TABLE_OWNERS[name] ?? DECLARED_VIEWS[name]?.owner ?? 'by row'})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists every table keyed by app_id in APP_DATA_TABLES', () => {
    expect([...APP_DATA_TABLES].sort()).toEqual(appKeyedTables().sort());
  });

  it('deletes an app with its rows of every app table and its credential grants, wherever apps are deleted', () => {
    const deleters = readdirSync(join(ROOT, 'apps'))
      .flatMap((app) => sources(join(ROOT, 'apps', app, 'src')))
      .filter((file) => /\bDELETE\s+FROM\s+"?apps\b|\b(?:prisma|tx)\.app\.delete/i.test(readFileSync(file, 'utf8')));
    expect(deleters.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const file of deleters) {
      const source = readFileSync(file, 'utf8');
      for (const table of APP_DATA_TABLES) {
        if (!new RegExp(`\\bDELETE\\s+FROM\\s+"?${table}\\b`, 'i').test(source)) problems.push(`${file.slice(ROOT.length + 1)} leaves ${table}`);
      }
      if (!/\bUPDATE\s+"?customer_credentials\b/i.test(source)) problems.push(`${file.slice(ROOT.length + 1)} leaves customer_credentials.app_ids`);
    }
    expect(problems).toEqual([]);
  });

  it('finds a foreign table in SQL and in Prisma calls (the check can fail)', () => {
    const sql = 'SELECT 1 FROM sessions s JOIN channel_members m ON true';
    expect([...touched(sql, models, known)].sort()).toEqual(['channel_members', 'sessions']);
    expect([...touched('await this.prisma.offlineMessage.findMany({})', models, known)]).toEqual(['offline_messages']);
    // Reads are not writes: a direct reader that starts writing is caught.
    expect([...written(sql, models, known)]).toEqual([]);
    expect([...written('UPDATE apps SET name = $1; DELETE FROM sessions', models, known)].sort()).toEqual(['apps', 'sessions']);
    expect([...written('await this.prisma.app.update({})', models, known)]).toEqual(['apps']);
  });

  it("finds another owner's rows in a table owned by rows (the check can fail)", () => {
    const names = new Set(['app_events']);
    expect(rowOwnershipProblems(`INSERT INTO app_events (kind) VALUES ('user')`, 'presence', names)).toEqual([]);
    expect(rowOwnershipProblems(`DELETE FROM app_events WHERE kind = 'channel'`, 'presence', names)).toEqual([
      'app_events: names none of its own kind values',
      "app_events: names kind 'channel' of channel",
    ]);
  });

  it('lists every table and view in docs/architecture.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Who owns which table'));
    for (const name of known) expect(section).toContain(`\`${name}\``);
  });
});
