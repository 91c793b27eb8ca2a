import { ErrorCode, ParleyError, type AppId, type SessionId, type Uid } from '@parley/contracts';
import type { ChannelJoinReply } from '@parley/contracts/internal';
import type { ChannelClient } from '../clients/channel.client';
import type { GatewayConfig } from '../config/gateway.config';
import type { SessionsService } from '../sessions/sessions.service';
import type { Connection } from '../transport/connection';
import { Session } from '../transport/session';
import type { ChannelRecovery } from './channel-recovery';
import type { ChannelSubscriptions } from './channel-subscriptions';
import { ChannelsService } from './channels.service';

const appId = 'a1b2c3d4e5f60718293a4b5c6d7e8f90' as AppId;
let n = 0;

function setup() {
  const config = {
    GATEWAY_ID: 'gw-test',
    CHANNELS_PER_USER: 20,
    JOIN_SAME_CHANNEL_RATE: { limit: 100, windowMs: 1000 },
    REJOIN_RATE: { limit: 100, windowMs: 1000 },
  } as GatewayConfig;
  const sessions = { requireSession: (conn: { session: Session }) => conn.session };
  const channelService = {
    join: jest.fn(async (): Promise<ChannelJoinReply> => ({ count: 1, joined: true })),
    leave: jest.fn(async () => ({ left: true })),
    leaveSession: jest.fn(async () => ({ left: 0 })),
  };
  const subscriptions = { add: jest.fn(), remove: jest.fn() };
  const sut = new ChannelsService(
    sessions as unknown as SessionsService,
    channelService as unknown as ChannelClient,
    subscriptions as unknown as ChannelSubscriptions,
    {} as ChannelRecovery,
    config,
  );
  const member = (uid: string) => {
    const session = new Session(`00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` as SessionId, appId, uid as Uid, 'inst', 0, null);
    session.epoch = n;
    return { session, conn: { session } as unknown as Connection };
  };
  return { sut, channelService, subscriptions, member };
}

describe('ChannelsService: channel bans', () => {
  it('stops a banned uid’s sessions being members of that channel (others and other channels untouched)', async () => {
    const { sut, subscriptions, member } = setup();
    const bob = member('bob');
    await sut.join(bob.conn, { ch: 'hall' });
    await sut.join(bob.conn, { ch: 'lobby' });
    sut.banned(new Set([bob.session]), { ch: 'hall' });
    expect([...bob.session.channels!]).toEqual(['lobby']);
    expect(subscriptions.remove).toHaveBeenCalledWith(bob.session, 'hall');
    // No longer a member here: a message or getMembers answers NOT_IN_CHANNEL, a leave too.
    await expect(sut.members(bob.conn, { ch: 'hall' })).rejects.toMatchObject({ code: ErrorCode.NOT_IN_CHANNEL });
    await expect(sut.leave(bob.conn, { ch: 'hall' })).rejects.toMatchObject({ code: ErrorCode.NOT_IN_CHANNEL });
    sut.banned(new Set([bob.session]), { ch: 42 }); // malformed: ignored
    expect([...bob.session.channels!]).toEqual(['lobby']);
  });

  it('refuses (REJECTED) a join the ban overtook while it was in flight, and leaves what the service may have committed', async () => {
    const { sut, channelService, member } = setup();
    const bob = member('bob');
    channelService.join.mockImplementationOnce(async () => {
      sut.banned(new Set([bob.session]), { ch: 'hall' });
      return { count: 2, joined: true };
    });
    await expect(sut.join(bob.conn, { ch: 'hall' })).rejects.toMatchObject({ code: ErrorCode.REJECTED });
    expect(channelService.leave).toHaveBeenCalledWith({ appId, ch: 'hall', uid: 'bob' });
    expect(bob.session.channels!.has('hall')).toBe(false);
  });

  it('passes on the channel service’s refusal of a banned uid’s join, keeping no membership', async () => {
    const { sut, channelService, subscriptions, member } = setup();
    const bob = member('bob');
    channelService.join.mockRejectedValueOnce(new ParleyError(ErrorCode.REJECTED, 'banned from this channel until …'));
    await expect(sut.join(bob.conn, { ch: 'hall' })).rejects.toMatchObject({ code: ErrorCode.REJECTED });
    expect(bob.session.channels!.has('hall')).toBe(false);
    expect(subscriptions.remove).toHaveBeenCalledWith(bob.session, 'hall');
  });

  it('ends the memberships of a kicked (banned) session like a logout', () => {
    const { sut, channelService, member } = setup();
    const bob = member('bob');
    bob.session.channels = new Set(['hall']);
    sut.sessionEnded(bob.session, 'banned');
    expect(channelService.leaveSession).toHaveBeenCalledWith({ appId, uid: 'bob', sessionId: bob.session.id });
  });
});
