import type { AppId, SessionId, Uid } from '@parley/contracts';
import type { InvitationClient } from '../clients/invitation.client';
import type { GatewayConfig } from '../config/gateway.config';
import type { LoginFacts, SessionsService } from '../sessions/sessions.service';
import { Session } from '../transport/session';
import { InvitationsService } from './invitations.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;

describe('InvitationsService.syncAtLogin', () => {
  const client = { sync: jest.fn(async () => []) };
  const sut = new InvitationsService({} as SessionsService, client as unknown as InvitationClient, { ACK_TIMEOUT_MS: 1_000 } as GatewayConfig);
  const session = new Session('s-1' as SessionId, appId, 'ann' as Uid, 'inst', 0, null);

  beforeEach(() => client.sync.mockClear());

  it.each<[string, boolean, LoginFacts]>([
    ['a first login (nothing replaced): the uid was OFFLINE, its open invitations failed', false, { replaced: 'none', reconnect: false, offlineStored: false }],
    ['a resume of the same SDK instance', true, { replaced: 'same-instance', reconnect: true, offlineStored: false }],
    ['a reconnect whose session presence had removed already', true, { replaced: 'none', reconnect: true, offlineStored: false }],
    ["a login on another device (the old one's ringing invitations move here)", true, { replaced: 'remote', reconnect: false, offlineStored: false }],
  ])('%s → sync: %s', (_what, expected, facts) => {
    sut.syncAtLogin(session, facts);
    expect(client.sync).toHaveBeenCalledTimes(expected ? 1 : 0);
  });
});
