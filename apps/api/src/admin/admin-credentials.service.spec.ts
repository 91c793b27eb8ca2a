import { createHash } from 'node:crypto';
import type { AppId } from '@parley/contracts';
import { ApiError } from '../http/api-error';
import type { AdminCredentialsRepository, CredentialRow } from './admin-credentials.repository';
import { AdminCredentialsService } from './admin-credentials.service';

const APP_A = 'a'.repeat(32) as AppId;
const APP_B = 'b'.repeat(32) as AppId;
const KEY = '5f2c3b0e9a6d4c1b8e7f0a1b2c3d4e5f';
const CREATED = new Date('2026-12-01T10:00:00.000Z');

function newRepositoryMock() {
  const strict = (name: string) =>
    jest.fn().mockImplementation(() => {
      throw new Error(`unexpected call: repository.${name}`);
    });
  return {
    create: strict('create') as jest.Mock<Promise<CredentialRow>, Parameters<AdminCredentialsRepository['create']>>,
    list: strict('list') as jest.Mock<Promise<CredentialRow[]>, Parameters<AdminCredentialsRepository['list']>>,
    revoke: strict('revoke') as jest.Mock<Promise<CredentialRow | null>, [string]>,
    existingAppIds: strict('existingAppIds') as jest.Mock<Promise<Set<string>>, [readonly AppId[]]>,
  };
}

const row = (over: Partial<CredentialRow> = {}): CredentialRow => ({
  id: KEY,
  name: null,
  appIds: [],
  allApps: false,
  createdAt: CREATED,
  revokedAt: null,
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('AdminCredentialsService', () => {
  let repository: ReturnType<typeof newRepositoryMock>;
  let sut: AdminCredentialsService;

  beforeEach(() => {
    repository = newRepositoryMock();
    sut = new AdminCredentialsService(repository as unknown as AdminCredentialsRepository);
    repository.create.mockImplementation((c) => Promise.resolve(row({ id: c.id, name: c.name, appIds: c.appIds, allApps: c.allApps })));
  });

  it('makes a 32-hex key and a 32-byte base64url secret, stores only its SHA-256 and shows the secret once', async () => {
    repository.existingAppIds.mockResolvedValue(new Set([APP_A, APP_B]));
    const created = await sut.create({ name: 'backend', appIds: [APP_A, APP_B, APP_A] });
    expect(created).toEqual({
      customerKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      customerSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      name: 'backend',
      appIds: [APP_A, APP_B],
      allApps: false,
      createdAt: CREATED.toISOString(),
      revokedAt: null,
    });
    const stored = repository.create.mock.calls[0]![0];
    expect(stored).toEqual({
      id: created.customerKey,
      secretHash: createHash('sha256').update(created.customerSecret).digest('hex'),
      name: 'backend',
      appIds: [APP_A, APP_B],
      allApps: false,
    });
    expect(JSON.stringify(stored)).not.toContain(created.customerSecret);
  });

  it('grants every app without looking at the apps', async () => {
    expect(await sut.create({ allApps: true })).toMatchObject({ appIds: [], allApps: true, name: null });
    expect(repository.existingAppIds).not.toHaveBeenCalled();
  });

  it('makes a different key and secret each time', async () => {
    const a = await sut.create({ allApps: true });
    const b = await sut.create({ allApps: true });
    expect(a.customerKey).not.toBe(b.customerKey);
    expect(a.customerSecret).not.toBe(b.customerSecret);
  });

  it('refuses (400 unknown_app) to grant an app that does not exist, storing nothing', async () => {
    repository.existingAppIds.mockResolvedValue(new Set([APP_A]));
    expect(await rejection(sut.create({ appIds: [APP_A, APP_B] }))).toMatchObject({ status: 400, code: 'unknown_app', message: `unknown app ${APP_B}` });
    expect(repository.create).not.toHaveBeenCalled();
  });

  it('lists without secrets, paged by key', async () => {
    repository.list.mockResolvedValue([row({ appIds: [APP_A], revokedAt: CREATED })]);
    expect(await sut.list({})).toEqual({
      credentials: [{ customerKey: KEY, name: null, appIds: [APP_A], allApps: false, createdAt: CREATED.toISOString(), revokedAt: CREATED.toISOString() }],
      next: null,
    });
    expect(repository.list).toHaveBeenCalledWith(101, undefined);
  });

  it('revokes, and answers 404 for an unknown key', async () => {
    repository.revoke.mockResolvedValue(row({ revokedAt: CREATED }));
    expect(await sut.revoke(KEY)).toMatchObject({ customerKey: KEY, revokedAt: CREATED.toISOString() });
    repository.revoke.mockResolvedValue(null);
    expect(await rejection(sut.revoke(KEY))).toMatchObject({ status: 404, code: 'not_found' });
  });
});
