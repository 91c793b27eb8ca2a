import type { AppId } from '@parley/contracts';
import type { AppRecord, AppsRepository } from '../src/apps.repository';
import type { CliDeps } from '../src/cli';

type Mocked<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? jest.Mock<R, A> : never };

/** Strict mock: every method throws unless a test gives it a behaviour, so an unexpected call fails the test. */
export function newAppsRepositoryMock(): Mocked<AppsRepository> {
  const strict = (name: string) =>
    jest.fn().mockImplementation(() => {
      throw new Error(`unexpected call: apps.${name}`);
    });
  return {
    create: strict('create'),
    find: strict('find'),
    list: strict('list'),
    setCertificate: strict('setCertificate'),
    delete: strict('delete'),
    close: strict('close'),
  };
}

export function appRecord(over: Partial<AppRecord> = {}): AppRecord {
  return {
    id: '0123456789abcdef0123456789abcdef' as AppId,
    name: null,
    certificate: null,
    createdAt: new Date('2026-11-25T10:00:00.000Z'),
    updatedAt: new Date('2026-11-25T10:00:00.000Z'),
    ...over,
  };
}

/** Deps with a captured output and pinned clock / id generators. */
export function newDeps(apps: AppsRepository) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    apps,
    output: { out: (l) => out.push(l), err: (l) => err.push(l) },
    now: () => Date.UTC(2026, 10, 25, 12, 0, 0),
    generateAppId: () => 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    generateCertificate: () => 'cccccccccccccccccccccccccccccccc',
  };
  return { deps, out, err };
}
