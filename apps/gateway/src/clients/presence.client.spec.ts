import { ErrorCode, ParleyError } from '@parley/contracts';
import { Subjects } from '@parley/contracts/internal';
import { NoRespondersError, type ServiceClient } from '@parley/platform';
import type { GatewayConfig } from '../config/gateway.config';
import { PresenceClient } from './presence.client';

function setup() {
  const services = { request: jest.fn(async (_subject: string, _body: unknown): Promise<unknown> => ({ results: [] })), emit: jest.fn() };
  const config = { GATEWAY_ID: 'gw-0', SERVICE_TIMEOUT_MS: 1_000 } as GatewayConfig;
  return { services, sut: new PresenceClient(services as unknown as ServiceClient, config) };
}

describe('PresenceClient', () => {
  it('is a new gateway in the registry on every start, however GATEWAY_ID is set', () => {
    const first = setup().sut.registryId;
    const restarted = setup().sut.registryId;
    expect(first).toMatch(/^gw-0@[0-9a-f]{12}$/);
    expect(restarted).toMatch(/^gw-0@[0-9a-f]{12}$/);
    expect(restarted).not.toBe(first);
    expect(restarted.length).toBeLessThanOrEqual(64 + 13); // fits gateways.id (VARCHAR(100)) for any GATEWAY_ID
  });

  it('registers the logins of one turn with one request under that id, and heartbeats under it', async () => {
    const { sut, services } = setup();
    services.request.mockImplementationOnce(async () => ({
      results: [
        { ok: true, data: { epoch: 1, replaced: 'none' } },
        { ok: true, data: { epoch: 2, replaced: 'remote' } },
      ],
    }));
    const replies = await Promise.all([
      sut.register({ appId: 'a', uid: 'u', sessionId: 's', instanceId: 'i' }),
      sut.register({ appId: 'a', uid: 'v', sessionId: 't', instanceId: 'j' }),
    ]);
    sut.heartbeat(3);
    expect(replies).toEqual([
      { epoch: 1, replaced: 'none' },
      { epoch: 2, replaced: 'remote' },
    ]);
    expect(services.request).toHaveBeenCalledTimes(1);
    expect(services.request).toHaveBeenCalledWith(Subjects.presence.register, {
      logins: [
        { appId: 'a', uid: 'u', sessionId: 's', instanceId: 'i', gatewayId: sut.registryId },
        { appId: 'a', uid: 'v', sessionId: 't', instanceId: 'j', gatewayId: sut.registryId },
      ],
    });
    // no timeout of its own: the ServiceClient's, SERVICE_TIMEOUT_MS from config
    expect(services.request.mock.calls[0]).toHaveLength(2);
    expect(services.emit).toHaveBeenCalledWith(Subjects.presence.gatewayHeartbeat, { gatewayId: sut.registryId, sessions: 3 });
  });

  it('fails each login of a batch on its own result, and all of them when the request fails', async () => {
    const { sut, services } = setup();
    services.request.mockImplementationOnce(async () => ({
      results: [
        { ok: true, data: { epoch: 1, replaced: 'none' } },
        { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: 'sessionId' } },
      ],
    }));
    const [ok, bad] = await Promise.allSettled([
      sut.register({ appId: 'a', uid: 'u', sessionId: 's', instanceId: 'i' }),
      sut.register({ appId: 'a', uid: 'v', sessionId: 'x', instanceId: 'j' }),
    ]);
    expect(ok).toMatchObject({ status: 'fulfilled', value: { epoch: 1 } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.INVALID_ARGUMENT } });

    services.request.mockImplementationOnce(async () => Promise.reject(new ParleyError(ErrorCode.TIMEOUT, 'no answer')));
    const both = await Promise.allSettled([
      sut.register({ appId: 'a', uid: 'u', sessionId: 's', instanceId: 'i' }),
      sut.register({ appId: 'a', uid: 'v', sessionId: 't', instanceId: 'j' }),
    ]);
    expect(both.map((r) => r.status === 'rejected' && (r.reason as ParleyError).code)).toEqual([ErrorCode.TIMEOUT, ErrorCode.TIMEOUT]);
  });

  it('sends the connection-state changes of one turn (sockets closed together) with one request, each settled by its own result', async () => {
    const { sut, services } = setup();
    services.request.mockImplementationOnce(async () => ({
      results: [
        { ok: true, data: { changed: true } },
        { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: 'sessionId: a UUID' } },
        { ok: true, data: { changed: false } },
      ],
    }));
    const changes = [
      { appId: 'a', uid: 'u', sessionId: 's1', state: 1 as const },
      { appId: 'a', uid: 'v', sessionId: 'bad', state: 1 as const },
      { appId: 'a', uid: 'w', sessionId: 's3', state: 1 as const },
    ];
    const settled = await Promise.allSettled(changes.map((c) => sut.setState(c)));
    expect(services.request).toHaveBeenCalledTimes(1);
    expect(services.request).toHaveBeenCalledWith(Subjects.presence.setStates, { changes });
    expect(settled).toMatchObject([
      { status: 'fulfilled', value: { changed: true } },
      { status: 'rejected', reason: { code: ErrorCode.INVALID_ARGUMENT } },
      { status: 'fulfilled', value: { changed: false } },
    ]);
    // The next turn's change is a request of its own; a reply without its result fails it.
    services.request.mockImplementationOnce(async () => ({ results: [] }));
    await expect(sut.setState(changes[0]!)).rejects.toMatchObject({ code: ErrorCode.UNKNOWN });
    expect(services.request).toHaveBeenCalledTimes(2);
  });

  it("fails the requests of a batch whose reply is malformed instead of throwing, and sends a turn's state changes at once on flush", async () => {
    const { sut, services } = setup();
    const change = { appId: 'a', uid: 'u', sessionId: 's1', state: 1 as const };
    for (const reply of [null, { results: 'x' }, { results: [{ ok: false }] }, { results: [7] }]) {
      services.request.mockImplementationOnce(async () => reply);
      await expect(sut.setState(change)).rejects.toMatchObject({ code: ErrorCode.UNKNOWN });
    }
    services.request.mockImplementationOnce(async () => ({
      results: [{ ok: false, error: { code: ErrorCode.TOO_OFTEN, message: 'later', retryAfterMs: 50 } }],
    }));
    await expect(sut.setState(change)).rejects.toMatchObject({ code: ErrorCode.TOO_OFTEN, retryAfterMs: 50 });
    // A send that throws at once fails its batch too.
    services.request.mockImplementationOnce(() => {
      throw new Error('not connected');
    });
    await expect(sut.setState(change)).rejects.toThrow('not connected');
    // flushStates sends before the turn ends (a drain's last changes).
    services.request.mockClear();
    services.request.mockImplementationOnce(async () => ({ results: [{ ok: true, data: { changed: true } }] }));
    const pending = sut.setState(change);
    sut.flushStates();
    await Promise.resolve();
    expect(services.request).toHaveBeenCalledTimes(1);
    await expect(pending).resolves.toEqual({ changed: true });
  });

  it('sends the changes one by one when no presence replica takes batches yet (a rollout), on the single-change subject', async () => {
    const { sut, services } = setup();
    services.request.mockImplementation(async (subject: string, body: unknown) => {
      if (subject === Subjects.presence.setStates) throw new NoRespondersError(Subjects.presence.setStates);
      if ((body as { uid: string }).uid === 'v') throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'sessionId: a UUID');
      return { changed: true };
    });
    const settled = await Promise.allSettled([
      sut.setState({ appId: 'a', uid: 'u', sessionId: 's1', state: 1 }),
      sut.setState({ appId: 'a', uid: 'v', sessionId: 'x', state: 1 }),
    ]);
    expect(settled).toMatchObject([
      { status: 'fulfilled', value: { changed: true } },
      { status: 'rejected', reason: { code: ErrorCode.INVALID_ARGUMENT } },
    ]);
    expect(services.request.mock.calls.map(([subject]) => subject)).toEqual([
      Subjects.presence.setStates,
      Subjects.presence.setState,
      Subjects.presence.setState,
    ]);
    // Any other failure of the batch fails its changes (no second try).
    services.request.mockReset();
    services.request.mockImplementation(async () => Promise.reject(new ParleyError(ErrorCode.TIMEOUT, 'no answer')));
    await expect(sut.setState({ appId: 'a', uid: 'u', sessionId: 's1', state: 1 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(services.request).toHaveBeenCalledTimes(1);
  });
});
