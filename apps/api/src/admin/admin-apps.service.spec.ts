import type { AppId } from '@parley/contracts';
import { ApiError } from '../http/api-error';
import type { AdminAppsRepository, AppRow } from './admin-apps.repository';
import { AdminAppsService } from './admin-apps.service';
import { UpdateAppBody } from './admin.schemas';

const ID = '0123456789abcdef0123456789abcdef' as AppId;
const CREATED = new Date('2026-12-01T10:00:00.000Z');
const HEX32 = /^[0-9a-f]{32}$/;

type Mocked<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? jest.Mock<R, A> : never };

/** Strict mock: a call without a behaviour fails the test. */
function newRepositoryMock(): Mocked<
  Pick<AdminAppsRepository, 'create' | 'find' | 'list' | 'update' | 'rotateCertificate' | 'removeCertificate' | 'deleteWithData'>
> {
  const strict = (name: string) =>
    jest.fn().mockImplementation(() => {
      throw new Error(`unexpected call: repository.${name}`);
    });
  return {
    create: strict('create'),
    find: strict('find'),
    list: strict('list'),
    update: strict('update'),
    rotateCertificate: strict('rotateCertificate'),
    removeCertificate: strict('removeCertificate'),
    deleteWithData: strict('deleteWithData'),
  };
}

const row = (over: Partial<AppRow> = {}): AppRow => ({
  id: ID,
  name: null,
  certificate: null,
  previousCertificate: null,
  previousCertificateUntil: null,
  createdAt: CREATED,
  updatedAt: CREATED,
  historyStoreAll: false,
  historyRetentionMs: null,
  historyMaxBytes: null,
  ...over,
});
const DEFAULT_HISTORY = { storeAll: false, retentionMs: null, maxBytes: null };

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('AdminAppsService', () => {
  let repository: ReturnType<typeof newRepositoryMock>;
  let sut: AdminAppsService;

  beforeEach(() => {
    repository = newRepositoryMock();
    sut = new AdminAppsService(repository as unknown as AdminAppsRepository);
  });

  describe('create', () => {
    it('creates a static app with a random hex id, without certificate', async () => {
      repository.create.mockImplementation((id, app) => Promise.resolve(row({ id, ...app })));
      const app = await sut.create({});
      expect(repository.create).toHaveBeenCalledWith(expect.stringMatching(HEX32), { name: null, certificate: null });
      expect(app).toEqual({
        appId: expect.stringMatching(HEX32),
        name: null,
        certified: false,
        certificate: null,
        previousCertificateValidUntil: null,
        createdAt: CREATED.toISOString(),
        updatedAt: CREATED.toISOString(),
        history: DEFAULT_HISTORY,
      });
    });

    it('creates a certified app with the given id and name, and shows its fresh certificate', async () => {
      repository.create.mockImplementation((id, app) => Promise.resolve(row({ id, ...app })));
      const app = await sut.create({ appId: ID, name: 'demo', certified: true });
      expect(repository.create).toHaveBeenCalledWith(ID, { name: 'demo', certificate: expect.stringMatching(HEX32) });
      expect(app).toMatchObject({ appId: ID, name: 'demo', certified: true, certificate: expect.stringMatching(HEX32) });
    });

    it('answers 409 when the id is taken', async () => {
      repository.create.mockResolvedValue(null);
      expect(await rejection(sut.create({ appId: ID }))).toMatchObject({ status: 409, code: 'app_exists' });
    });
  });

  describe('get and list', () => {
    it('never shows the certificate, only whether there is one and how long the previous one verifies', async () => {
      const until = new Date(Date.now() + 60_000);
      repository.find.mockResolvedValue(row({ certificate: 'c'.repeat(32), previousCertificate: 'p'.repeat(32), previousCertificateUntil: until }));
      const app = await sut.get(ID);
      expect(app).toEqual({
        appId: ID,
        name: null,
        certified: true,
        previousCertificateValidUntil: until.toISOString(),
        createdAt: CREATED.toISOString(),
        updatedAt: CREATED.toISOString(),
        history: DEFAULT_HISTORY,
      });
      expect(JSON.stringify(app)).not.toContain('c'.repeat(32));
    });

    it('reports no previous certificate once its overlap is over', async () => {
      repository.find.mockResolvedValue(
        row({ certificate: 'c'.repeat(32), previousCertificate: 'p'.repeat(32), previousCertificateUntil: new Date(Date.now() - 1) }),
      );
      expect((await sut.get(ID)).previousCertificateValidUntil).toBeNull();
    });

    it('answers 404 for an unknown app', async () => {
      repository.find.mockResolvedValue(null);
      expect(await rejection(sut.get(ID))).toMatchObject({ status: 404, code: 'not_found' });
    });

    it('pages by id: asks one more than the limit, and `next` is the last id shown when there are more', async () => {
      const ids = ['a', 'b', 'c'].map((c) => c.repeat(32) as AppId);
      repository.list.mockResolvedValue(ids.map((id) => row({ id })));
      expect(await sut.list({ limit: 2, after: '0'.repeat(32) })).toEqual({
        apps: [expect.objectContaining({ appId: ids[0] }), expect.objectContaining({ appId: ids[1] })],
        next: ids[1],
      });
      expect(repository.list).toHaveBeenCalledWith(3, '0'.repeat(32));
      repository.list.mockResolvedValue([row()]);
      expect(await sut.list({})).toEqual({ apps: [expect.objectContaining({ appId: ID })], next: null });
      expect(repository.list).toHaveBeenLastCalledWith(101, undefined);
    });
  });

  describe('update', () => {
    it('changes only the fields given, and shows the history settings as numbers', async () => {
      repository.update.mockResolvedValue(row({ name: 'x', historyStoreAll: true, historyRetentionMs: 3_600_000n, historyMaxBytes: BigInt(1024 ** 4) }));
      const app = await sut.update(ID, UpdateAppBody.parse({ name: 'x', history: { storeAll: true, retentionMs: 3_600_000, maxBytes: 1024 ** 4 } }));
      expect(repository.update).toHaveBeenCalledWith(ID, { name: 'x', historyStoreAll: true, historyRetentionMs: 3_600_000, historyMaxBytes: 1024 ** 4 });
      expect(app).toMatchObject({ name: 'x', history: { storeAll: true, retentionMs: 3_600_000, maxBytes: 1024 ** 4 } });

      await sut.update(ID, UpdateAppBody.parse({ history: { retentionMs: null } }));
      expect(repository.update).toHaveBeenLastCalledWith(ID, { historyRetentionMs: null });
      await sut.update(ID, UpdateAppBody.parse({ name: null, history: { maxBytes: null } }));
      expect(repository.update).toHaveBeenLastCalledWith(ID, { name: null, historyMaxBytes: null });
    });

    it('changes nothing for an empty body (the app as it is), and answers 404 for an unknown app', async () => {
      repository.find.mockResolvedValue(row());
      expect(await sut.update(ID, UpdateAppBody.parse({ history: {} }))).toMatchObject({ appId: ID, history: DEFAULT_HISTORY });
      expect(repository.update).not.toHaveBeenCalled();
      repository.update.mockResolvedValue(null);
      expect(await rejection(sut.update(ID, { history: { storeAll: true } }))).toMatchObject({ status: 404 });
    });

    it('refuses history bounds out of range and unknown fields', () => {
      for (const history of [
        { retentionMs: 3_599_999 },
        { retentionMs: 90 * 86_400_000 + 1 },
        { retentionMs: 1.5 * 3_600_000 + 0.5 },
        { maxBytes: 1024 ** 2 - 1 },
        { maxBytes: 1024 ** 4 + 1 },
        { storeAll: 'yes' },
        { retention: 3_600_000 },
      ]) {
        expect(UpdateAppBody.safeParse({ history }).success).toBe(false);
      }
      expect(UpdateAppBody.safeParse({ certified: true }).success).toBe(false);
      expect(UpdateAppBody.safeParse({ history: { retentionMs: 90 * 86_400_000, maxBytes: 1024 ** 2 } }).success).toBe(true);
    });
  });

  describe('rotateCertificate', () => {
    it('keeps the old certificate valid for a day by default', async () => {
      repository.rotateCertificate.mockImplementation((id, certificate, until) =>
        Promise.resolve(row({ id, certificate, previousCertificate: 'o'.repeat(32), previousCertificateUntil: until })),
      );
      const before = Date.now();
      const app = await sut.rotateCertificate(ID, {});
      const [, certificate, until] = repository.rotateCertificate.mock.calls[0]!;
      expect(certificate).toMatch(HEX32);
      expect(until!.getTime()).toBeGreaterThanOrEqual(before + 86_400_000);
      expect(until!.getTime()).toBeLessThanOrEqual(Date.now() + 86_400_000);
      expect(app).toMatchObject({ certified: true, certificate, previousCertificateValidUntil: until!.toISOString() });
    });

    it('with overlapSeconds 0 the old certificate stops at once', async () => {
      repository.rotateCertificate.mockImplementation((id, certificate) => Promise.resolve(row({ id, certificate })));
      const app = await sut.rotateCertificate(ID, { overlapSeconds: 0 });
      expect(repository.rotateCertificate).toHaveBeenCalledWith(ID, expect.stringMatching(HEX32), null);
      expect(app.previousCertificateValidUntil).toBeNull();
    });

    it('answers 404 for an unknown app', async () => {
      repository.rotateCertificate.mockResolvedValue(null);
      expect(await rejection(sut.rotateCertificate(ID, { overlapSeconds: 10 }))).toMatchObject({ status: 404 });
    });
  });

  describe('removeCertificate and delete', () => {
    it('makes an app static', async () => {
      repository.removeCertificate.mockResolvedValue(row());
      expect(await sut.removeCertificate(ID)).toMatchObject({ appId: ID, certified: false, previousCertificateValidUntil: null });
    });

    it('deletes an app with its data and reports what went', async () => {
      repository.deleteWithData.mockResolvedValue({ deletedRows: { sessions: 2 }, credentialsUpdated: 1 });
      expect(await sut.delete(ID)).toEqual({ appId: ID, deletedRows: { sessions: 2 }, credentialsUpdated: 1 });
    });

    it('answers 404 for unknown apps', async () => {
      repository.removeCertificate.mockResolvedValue(null);
      repository.deleteWithData.mockResolvedValue(null);
      expect(await rejection(sut.removeCertificate(ID))).toMatchObject({ status: 404 });
      expect(await rejection(sut.delete(ID))).toMatchObject({ status: 404 });
    });
  });
});
