import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('workspace root (nx.json) not found');
    dir = up;
  }
  return dir;
}

/** The tests' database: TEST_DATABASE_URL, else DATABASE_URL, else a local parley_test. */
export function testDatabaseUrl(): string {
  return process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/parley_test';
}
