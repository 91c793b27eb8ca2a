import { Subjects } from '@parley/contracts/internal';
import type { ServiceClient } from '@parley/platform';
import type { GatewayConfig } from '../config/gateway.config';
import { PresenceClient } from './presence.client';

function setup() {
  const services = { request: jest.fn(async () => ({ epoch: 1, replaced: 'none' })), emit: jest.fn() };
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

  it('registers sessions and heartbeats under that id', async () => {
    const { sut, services } = setup();
    await sut.register({ appId: 'a', uid: 'u', sessionId: 's', instanceId: 'i' });
    sut.heartbeat(3);
    expect(services.request).toHaveBeenCalledWith(Subjects.presence.register, {
      appId: 'a',
      uid: 'u',
      sessionId: 's',
      instanceId: 'i',
      gatewayId: sut.registryId,
    });
    // no timeout of its own: the ServiceClient's, SERVICE_TIMEOUT_MS from config
    expect(services.request.mock.calls[0]).toHaveLength(2);
    expect(services.emit).toHaveBeenCalledWith(Subjects.presence.gatewayHeartbeat, { gatewayId: sut.registryId, sessions: 3 });
  });
});
