import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DECLARED_VIEWS, TABLE_OWNERS, TOOL_ACCESS } from './data-ownership';

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

describe('data ownership', () => {
  const models = modelTables();
  const known = new Set([...Object.keys(TABLE_OWNERS), ...Object.keys(DECLARED_VIEWS)]);

  it('declares an owner for every table of the schema', () => {
    for (const table of models.values()) expect(TABLE_OWNERS[table]).toBeDefined();
  });

  it('every app touches only its own tables and the views declared for it', () => {
    const problems: string[] = [];
    for (const app of readdirSync(join(ROOT, 'apps'))) {
      for (const file of sources(join(ROOT, 'apps', app, 'src'))) {
        for (const name of touched(readFileSync(file, 'utf8'), models, known)) {
          const ok =
            TABLE_OWNERS[name] === app ||
            DECLARED_VIEWS[name]?.owner === app ||
            DECLARED_VIEWS[name]?.readers.includes(app) ||
            TOOL_ACCESS[app]?.includes(name);
          if (!ok) problems.push(`${file.slice(ROOT.length + 1)} touches ${name} (owner ${TABLE_OWNERS[name] ?? DECLARED_VIEWS[name]?.owner})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds a foreign table in SQL and in Prisma calls (the check can fail)', () => {
    const sql = 'SELECT 1 FROM sessions s JOIN channel_members m ON true';
    expect([...touched(sql, models, known)].sort()).toEqual(['channel_members', 'sessions']);
    expect([...touched('await this.prisma.offlineMessage.findMany({})', models, known)]).toEqual(['offline_messages']);
  });

  it('lists every table and view in docs/architecture.md', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Who owns which table'));
    for (const name of known) expect(section).toContain(`\`${name}\``);
  });
});
