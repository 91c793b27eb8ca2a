import type { Logger } from '@nestjs/common';
import { createCodec, Evt, Frame, MessageKind, type AppId } from '@parley/contracts';
import type { GatewayConfig } from '../config/gateway.config';
import type { Session } from '../transport/session';
import { ChannelCatchUp, CLOCK_SLACK_MS } from './channel-catch-up';
import type { ChannelMessageNats } from './channel-messages.service';
import type { ChannelEntry, ChannelSubscriptions } from './channel-subscriptions';
import type { RecoveryStreamReader } from './recovery-stream';
import { SeenMessages } from './seen-messages';

const codec = createCodec();
const GAP_AT = 1_000_000;
const msg = (from: string, id: string, ts: number): ChannelMessageNats => ({ from, id, ts, m: { k: MessageKind.TEXT, text: id } });

function setup(opts: { created: number | null; stored: ChannelMessageNats[]; storedCount?: number }) {
  const member = (uid: string) => {
    const frames: unknown[][] = [];
    const conn = { sendEncoded: jest.fn((bytes: Uint8Array) => void frames.push(codec.decode(bytes) as unknown[])) };
    return { session: { uid, conn } as unknown as Session, frames };
  };
  const ann = member('ann');
  const ben = member('ben');
  const entry: ChannelEntry = {
    key: 'app/lobby',
    holds: 0,
    appId: 'app' as AppId,
    ch: 'lobby',
    members: new Set([ann.session, ben.session]),
    seen: new SeenMessages(4),
  };
  const stream = {
    createdAt: jest.fn(async () => opts.created),
    read: jest.fn(async () => ({ messages: opts.stored, stored: opts.storedCount ?? opts.stored.length })),
  };
  const subscriptions = { channels: () => [entry] };
  const config = { RECOVERY_MAX_MESSAGES: 4, RECOVERY_MAX_AGE_MS: 30_000 } as GatewayConfig;
  const logger = { warn: jest.fn(), log: jest.fn() } as unknown as Logger;
  const sut = new ChannelCatchUp(stream as unknown as RecoveryStreamReader, subscriptions as unknown as ChannelSubscriptions, config, logger);
  /** What a member was pushed: ['msg', id, lost?] and ['gap', since]. */
  const pushed = (m: { frames: unknown[][] }) =>
    m.frames.map((f) => {
      const data = f[2] as { id?: string; lost?: boolean; rec?: boolean; since?: number };
      if (f[0] !== Frame.EVT) return ['?'];
      if (f[1] === Evt.CHANNEL_GAP) return ['gap', data.since];
      expect(data.rec).toBe(true);
      return data.lost ? ['msg', data.id, 'lost'] : ['msg', data.id];
    });
  return { sut, entry, stream, ann, ben, pushed };
}

describe('ChannelCatchUp', () => {
  it('pushes what the stream holds from the gap that this gateway did not see, to every member but the sender', async () => {
    const { sut, entry, ann, ben, pushed } = setup({
      created: GAP_AT - 60_000,
      stored: [msg('ann', 'before', GAP_AT - 5_000), msg('ben', 'seen', GAP_AT - 100), msg('ann', 'a1', GAP_AT + 10), msg('ben', 'b1', GAP_AT + 20)],
    });
    entry.seen.note('ben', 'seen');
    sut.disconnected(GAP_AT);
    sut.disconnected(GAP_AT + 500); // a second loss before the reconnect: the gap began at the first
    await sut.reconnected(GAP_AT + 1_000);
    expect(pushed(ann)).toEqual([['msg', 'b1']]);
    expect(pushed(ben)).toEqual([['msg', 'a1']]);
    expect(entry.seen.has('ann', 'a1')).toBe(true); // a later reconnect does not push it again
  });

  it('does nothing on a reconnect without a disconnect', async () => {
    const { sut, stream, ann } = setup({ created: 0, stored: [] });
    await sut.reconnected(GAP_AT);
    expect(stream.read).not.toHaveBeenCalled();
    expect(ann.frames).toEqual([]);
  });

  it('flags what it recovered as lost and sends CHANNEL_GAP when the stream was created after the gap began (NATS restart)', async () => {
    const { sut, ann, pushed } = setup({ created: GAP_AT + 300, stored: [msg('ben', 'b1', GAP_AT + 400)] });
    sut.disconnected(GAP_AT);
    await sut.reconnected(GAP_AT + 1_000);
    expect(pushed(ann)).toEqual([
      ['msg', 'b1', 'lost'],
      ['gap', GAP_AT - CLOCK_SLACK_MS],
    ]);
  });

  it('sends only CHANNEL_GAP while the stream is missing', async () => {
    const { sut, stream, ann, ben, pushed } = setup({ created: null, stored: [] });
    sut.disconnected(GAP_AT);
    await sut.reconnected(GAP_AT + 1_000);
    expect(stream.read).not.toHaveBeenCalled();
    expect(pushed(ann)).toEqual([['gap', GAP_AT - CLOCK_SLACK_MS]]);
    expect(pushed(ben)).toEqual([['gap', GAP_AT - CLOCK_SLACK_MS]]);
  });

  it('reports a gap when the channel overflowed the stream with messages it missed, or the gap outlived the stream', async () => {
    const full = setup({ created: 0, stored: ['b1', 'b2', 'b3', 'b4'].map((id, i) => msg('ben', id, GAP_AT + i)) });
    full.sut.disconnected(GAP_AT);
    await full.sut.reconnected(GAP_AT + 1_000);
    expect(full.pushed(full.ann)).toEqual([...['b1', 'b2', 'b3', 'b4'].map((id) => ['msg', id, 'lost']), ['gap', GAP_AT - CLOCK_SLACK_MS]]);

    const seenOldest = setup({ created: 0, stored: ['b0', 'b1', 'b2', 'b3'].map((id, i) => msg('ben', id, GAP_AT + i)) });
    seenOldest.entry.seen.note('ben', 'b0'); // the stream reaches back to a message we had: nothing dropped
    seenOldest.sut.disconnected(GAP_AT);
    await seenOldest.sut.reconnected(GAP_AT + 1_000);
    expect(seenOldest.pushed(seenOldest.ann)).toEqual([
      ['msg', 'b1'],
      ['msg', 'b2'],
      ['msg', 'b3'],
    ]);

    const long = setup({ created: 0, stored: [msg('ben', 'b1', GAP_AT + 40_000)] });
    long.sut.disconnected(GAP_AT);
    await long.sut.reconnected(GAP_AT + 40_000);
    expect(long.pushed(long.ann)).toEqual([
      ['msg', 'b1', 'lost'],
      ['gap', GAP_AT - CLOCK_SLACK_MS],
    ]);
  });

  it('reports a gap when the channel cannot be read', async () => {
    const { sut, stream, ann, pushed } = setup({ created: 0, stored: [] });
    stream.read.mockRejectedValueOnce(new Error('timeout'));
    sut.disconnected(GAP_AT);
    await sut.reconnected(GAP_AT + 1_000);
    expect(pushed(ann)).toEqual([['gap', GAP_AT - CLOCK_SLACK_MS]]);
  });
});

describe('SeenMessages', () => {
  it('remembers the last `size` messages by sender and id', () => {
    const sut = new SeenMessages(2);
    sut.noteMessage({ from: 'a', id: '1' });
    sut.note('a', '2');
    expect([sut.has('a', '1'), sut.has('a', '2'), sut.has('b', '1'), sut.has('a1', '')]).toEqual([true, true, false, false]);
    sut.note('a', '3');
    expect([sut.has('a', '1'), sut.has('a', '2'), sut.has('a', '3')]).toEqual([false, true, true]);
    sut.noteMessage({ from: 1 }); // not a message body: ignored
    expect(sut.has('a', '2')).toBe(true);
  });
});
