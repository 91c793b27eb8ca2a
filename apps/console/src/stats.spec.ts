import { messageRates, type Stats } from './stats';

const stats = (at: number, gateways: [string, string, number, number][]): Stats => ({
  at: new Date(at).toISOString(),
  appId: null,
  sessions: { online: 0, unreachable: 0 },
  channels: 0,
  members: 0,
  gateways: gateways.map(([id, startedAt, peer, channel]) => ({ id, startedAt, sessions: 0, messages: { peer, channel } })),
  messages: { peer: 0, channel: 0 },
});

describe('messageRates', () => {
  it('is the growth of the totals per second between two polls', () => {
    const a = stats(0, [
      ['gw0', 's0', 100, 10],
      ['gw1', 's1', 50, 0],
    ]);
    const b = stats(2_000, [
      ['gw0', 's0', 140, 30],
      ['gw1', 's1', 70, 0],
    ]);
    expect(messageRates(a, b)).toEqual({ peer: 30, channel: 10 });
  });

  it('never goes negative: a restarted gateway counts from its start, a vanished one counts nothing', () => {
    const a = stats(0, [
      ['gw0', 's0', 1_000, 500],
      ['gw1', 's1', 50, 0],
    ]);
    const restarted = stats(1_000, [['gw0', 's0-new', 8, 2]]);
    expect(messageRates(a, restarted)).toEqual({ peer: 8, channel: 2 });
    const dropped = stats(1_000, [
      ['gw0', 's0', 10, 600],
      ['gw1', 's1', 50, 0],
    ]);
    expect(messageRates(a, dropped)).toEqual({ peer: 10, channel: 600 });
  });

  it('counts a gateway new to the second poll only if it started after the first', () => {
    const a = stats(10_000, [['gw0', new Date(0).toISOString(), 5, 5]]);
    const b = stats(12_000, [
      ['gw0', new Date(0).toISOString(), 5, 5],
      ['gw1', new Date(11_000).toISOString(), 4, 2],
      ['gw2', new Date(1_000).toISOString(), 900, 900],
    ]);
    expect(messageRates(a, b)).toEqual({ peer: 2, channel: 1 });
  });

  it('is 0 on the first poll and when no time passed', () => {
    const a = stats(0, [['gw0', 's0', 5, 5]]);
    expect(messageRates(undefined, a)).toEqual({ peer: 0, channel: 0 });
    expect(messageRates(a, a)).toEqual({ peer: 0, channel: 0 });
  });
});
