import { ErrorCode, ParleyError, type InvitationSnapshot } from '@parley/contracts';
import { Subjects } from '@parley/contracts/internal';
import { NoRespondersError, type ServiceClient } from '@parley/platform';
import { setTracingEnabled } from '@parley/platform/telemetry';
import { InvitationClient } from './invitation.client';

const snap = (id: string) => ({ id, caller: 'a', callee: 'b', content: '', ch: '', response: '', state: 'SENT', ts: 1 }) as InvitationSnapshot;

function setup() {
  const services = { requestIdempotent: jest.fn(async (_subject: string, _body: unknown): Promise<unknown> => ({ results: [] })) };
  return { services, sut: new InvitationClient(services as unknown as ServiceClient) };
}

describe('InvitationClient', () => {
  afterEach(() => setTracingEnabled(false));

  it('asks for the syncs of one turn (logins that resume together) with one request, each settled by its own result', async () => {
    const { sut, services } = setup();
    services.requestIdempotent.mockImplementationOnce(async () => ({
      results: [
        { ok: true, data: [snap('x')] },
        { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: 'uid' } },
        { ok: true, data: [] },
      ],
    }));
    const syncs = [
      { appId: 'a', uid: 'u' },
      { appId: 'a', uid: '' },
      { appId: 'b', uid: 'w' },
    ];
    const settled = await Promise.allSettled(syncs.map((s) => sut.sync(s)));
    expect(services.requestIdempotent).toHaveBeenCalledTimes(1);
    expect(services.requestIdempotent).toHaveBeenCalledWith(Subjects.invitation.syncs, { syncs });
    expect(settled).toMatchObject([
      { status: 'fulfilled', value: [snap('x')] },
      { status: 'rejected', reason: { code: ErrorCode.INVALID_ARGUMENT } },
      { status: 'fulfilled', value: [] },
    ]);
  });

  it('splits a turn of more than 128 syncs into several requests', async () => {
    const { sut, services } = setup();
    services.requestIdempotent.mockImplementation(async (_subject, body) => ({
      results: (body as { syncs: unknown[] }).syncs.map(() => ({ ok: true, data: [] })),
    }));
    await Promise.all(Array.from({ length: 300 }, (_, i) => sut.sync({ appId: 'a', uid: `u${i}` })));
    expect(services.requestIdempotent.mock.calls.map(([, body]) => (body as { syncs: unknown[] }).syncs.length)).toEqual([128, 128, 44]);
  });

  it('asks one by one when no invitation replica takes batches yet (a rollout), and fails the batch on any other error', async () => {
    const { sut, services } = setup();
    services.requestIdempotent.mockImplementation(async (subject: string, body: unknown) => {
      if (subject === Subjects.invitation.syncs) throw new NoRespondersError(Subjects.invitation.syncs);
      if ((body as { uid: string }).uid === '') throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'uid');
      return [snap((body as { uid: string }).uid)];
    });
    const settled = await Promise.allSettled([sut.sync({ appId: 'a', uid: 'u' }), sut.sync({ appId: 'a', uid: '' })]);
    expect(settled).toMatchObject([
      { status: 'fulfilled', value: [snap('u')] },
      { status: 'rejected', reason: { code: ErrorCode.INVALID_ARGUMENT } },
    ]);
    expect(services.requestIdempotent.mock.calls.map(([subject]) => subject)).toEqual([
      Subjects.invitation.syncs,
      Subjects.invitation.sync,
      Subjects.invitation.sync,
    ]);
    services.requestIdempotent.mockReset();
    services.requestIdempotent.mockImplementation(async () => Promise.reject(new ParleyError(ErrorCode.TIMEOUT, 'no answer')));
    await expect(sut.sync({ appId: 'a', uid: 'u' })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(services.requestIdempotent).toHaveBeenCalledTimes(1);
    // an UNAVAILABLE the service answered (its database restarting) is no rollout: no fallback either
    services.requestIdempotent.mockImplementation(async () => Promise.reject(new ParleyError(ErrorCode.UNAVAILABLE, 'database restarting')));
    await expect(sut.sync({ appId: 'a', uid: 'u' })).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    expect(services.requestIdempotent).toHaveBeenCalledTimes(2);
  });

  it('asks each sync on its own while traces are exported (a child of its login trace)', async () => {
    const { sut, services } = setup();
    setTracingEnabled(true);
    services.requestIdempotent.mockImplementation(async () => []);
    await Promise.all([sut.sync({ appId: 'a', uid: 'u' }), sut.sync({ appId: 'a', uid: 'v' })]);
    expect(services.requestIdempotent.mock.calls).toEqual([
      [Subjects.invitation.sync, { appId: 'a', uid: 'u' }],
      [Subjects.invitation.sync, { appId: 'a', uid: 'v' }],
    ]);
  });
});
