import { ErrorCode, MessageKind, Op } from '@parley/contracts';
import type { AttributesService } from '../attributes/attributes.service';
import type { ChannelMessagesService } from '../channels/channel-messages.service';
import type { ChannelsService } from '../channels/channels.service';
import type { HistoryService } from '../history/history.service';
import type { InvitationsService } from '../invitations/invitations.service';
import type { MediaService } from '../media/media.service';
import type { MetadataService } from '../metadata/metadata.service';
import type { UserMetadataSubscriptionsService } from '../metadata/user-metadata-subscriptions.service';
import type { PeerMessagesService } from '../peer-messages/peer-messages.service';
import type { SessionsService } from '../sessions/sessions.service';
import type { OnlineStatusService } from '../status/online-status.service';
import type { StatusSubscriptionsService } from '../status/status-subscriptions.service';
import type { Connection } from '../transport/connection';
import { WsRouter } from './ws.router';

/** A service whose every method records its call and answers its own name. */
function recorder<T>(name: string, calls: string[]): T {
  return new Proxy(
    {},
    { get: (_t, method: string) => (_conn: unknown, args: unknown) => (calls.push(`${name}.${method} ${JSON.stringify(args ?? null)}`), `${name}.${method}`) },
  ) as T;
}

function setup() {
  const calls: string[] = [];
  const sut = new WsRouter(
    recorder<SessionsService>('sessions', calls),
    recorder<OnlineStatusService>('status', calls),
    recorder<PeerMessagesService>('peers', calls),
    recorder<ChannelsService>('channels', calls),
    recorder<ChannelMessagesService>('channelMessages', calls),
    recorder<AttributesService>('attributes', calls),
    recorder<StatusSubscriptionsService>('subscriptions', calls),
    recorder<InvitationsService>('invitations', calls),
    recorder<MediaService>('media', calls),
    recorder<MetadataService>('metadata', calls),
    recorder<UserMetadataSubscriptionsService>('metadataSubscriptions', calls),
    recorder<HistoryService>('history', calls),
  );
  return { sut, calls, conn: {} as Connection };
}

describe('WsRouter', () => {
  it('routes every op of the protocol to one service method', () => {
    const { sut, conn } = setup();
    const targets = Object.values(Op).map((op) => {
      expect(sut.isOp(op)).toBe(true);
      return sut.dispatch(conn, op, {});
    });
    expect(new Set(targets).size).toBe(Object.values(Op).length);
    expect(targets).toContain('peers.send');
    expect(targets).toContain('media.read');
    expect(targets).toContain('metadata.updateChannel');
    expect(targets).toContain('metadataSubscriptions.subscribe');
    expect(targets).toContain('history.channel');
    expect(targets).toContain('history.peer');
  });

  it('knows only the protocol ops', () => {
    const { sut } = setup();
    for (const op of [0, 5, 999, -1, 1.5, '1', null, undefined, {}, Number.NaN]) expect(sut.isOp(op)).toBe(false);
    expect(sut.isOp('constructor')).toBe(false);
  });

  it('hands handlers parsed arguments: unknown fields dropped, bad ones refused with the op code', () => {
    const { sut, calls, conn } = setup();
    const parsed = sut.parse(Op.SEND_PEER, { to: 'bob', id: 'm1', m: { k: MessageKind.TEXT, text: 'hi', x: 1 }, junk: true });
    expect(parsed.ok).toBe(true);
    sut.dispatch(conn, Op.SEND_PEER, parsed.ok ? parsed.args : undefined);
    expect(calls).toEqual(['peers.send {"to":"bob","id":"m1","m":{"k":1,"text":"hi"}}']);
    expect(sut.parse(Op.SEND_PEER, { to: 'bob', id: 'm1', m: { k: 7 } })).toMatchObject({ ok: false, code: ErrorCode.INVALID_MESSAGE });
  });
});
