import { ErrorCode, type AppId } from '@parley/contracts';
import type { NatsBus } from '@parley/platform';
import type { PresenceClient } from '../clients/presence.client';
import type { GatewayConfig } from '../config/gateway.config';
import { messageTotals } from '../metrics/message-totals';
import type { SessionsService } from '../sessions/sessions.service';
import type { Session } from '../transport/session';
import { GatewayStatsResponder } from './gateway-stats.responder';
import type { WsServer } from './ws.server';

const A = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
const B = 'b1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

function setup() {
  const sessions = new Set([
    { appId: A, conn: {} },
    { appId: A, conn: null },
    { appId: B, conn: {} },
  ] as unknown as Session[]);
  const bus = { serve: jest.fn(() => ({ unsubscribe: jest.fn() })), unsubscribe: jest.fn() };
  const sut = new GatewayStatsResponder(
    bus as unknown as NatsBus,
    { sessions } as unknown as SessionsService,
    { connectionCount: 5 } as unknown as WsServer,
    { registryId: 'gw-a@0123456789ab' } as unknown as PresenceClient,
    { GATEWAY_ID: 'gw-a' } as GatewayConfig,
  );
  return { sut, bus };
}

describe('GatewayStatsResponder', () => {
  it('answers every ask on its subject (no queue group) and stops at shutdown', () => {
    const { sut, bus } = setup();
    sut.onApplicationBootstrap();
    expect(bus.serve).toHaveBeenCalledWith(expect.stringMatching(/\.gateway\.stats$/), expect.any(Function));
    sut.onApplicationShutdown();
    expect(bus.unsubscribe).toHaveBeenCalled();
  });

  it('reports all sessions, connections and message totals of the process', () => {
    const { sut } = setup();
    const before = messageTotals.of();
    messageTotals.peer(A);
    messageTotals.channel(B);
    expect(sut.stats({})).toEqual({
      id: 'gw-a',
      instance: 'gw-a@0123456789ab',
      startedAt: expect.any(Number),
      sessions: 3,
      connections: 5,
      messages: { peer: before.peer + 1, channel: before.channel + 1 },
    });
  });

  it('with an app id, counts that app’s sessions, its connected ones and its messages only', () => {
    const { sut } = setup();
    const before = messageTotals.of(A);
    messageTotals.peer(A);
    messageTotals.peer(B);
    expect(sut.stats({ appId: A })).toMatchObject({ sessions: 2, connections: 1, messages: { peer: before.peer + 1, channel: before.channel } });
  });

  it('refuses an invalid app id', () => {
    expect(() => setup().sut.stats({ appId: 'nope' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_APP_ID }));
  });
});
