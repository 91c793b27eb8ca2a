import type { AppId, SessionId, Uid } from '@parley/contracts';
import { deliveredKey, InflightSends, Session } from './session';

const session = () => new Session('00000000-0000-4000-8000-000000000001' as SessionId, 'app' as AppId, 'ann' as Uid, 'inst', 0, null);

describe('deliveredKey', () => {
  it('keeps sender and id apart', () => {
    expect(deliveredKey('ab', 'c')).not.toBe(deliveredKey('a', 'bc'));
    expect(deliveredKey('bob', 'm-1')).toBe(deliveredKey('bob', 'm-1'));
    expect(deliveredKey('bob', 'm-1')).toBe('bob\u0000m-1');
  });

  it('is the same key for a slice of a larger string as for the string itself', () => {
    const frame = 'x'.repeat(100) + 'bob-with-a-long-uid' + 'message-id-0123456789';
    const from = frame.slice(100, 119);
    const id = frame.slice(119);
    expect(deliveredKey(from, id)).toBe(deliveredKey('bob-with-a-long-uid', 'message-id-0123456789'));
  });
});

describe('Session delivered memory', () => {
  it('remembers at least the last `keep` keys, at most twice as many, and forgets the oldest first', () => {
    const s = session();
    const has = (i: number) => s.wasDelivered(deliveredKey('bob', `m${i}`));
    for (let i = 0; i < 6; i++) s.rememberDelivered(deliveredKey('bob', `m${i}`), 3);
    expect([0, 1, 2, 3, 4, 5].map(has)).toEqual([true, true, true, true, true, true]);
    s.rememberDelivered(deliveredKey('bob', 'm6'), 3); // a third generation: the first is forgotten
    expect([0, 1, 2, 3, 4, 5, 6].map(has)).toEqual([false, false, false, true, true, true, true]);
    for (let i = 7; i < 40; i++) {
      s.rememberDelivered(deliveredKey('bob', `m${i}`), 3);
      for (let back = 0; back < 3; back++) expect(has(i - back)).toBe(true);
      expect(has(i - 6)).toBe(false);
    }
  });

  it('does not take a key it holds already (it would push others out early)', () => {
    const s = session();
    s.rememberDelivered(deliveredKey('bob', 'm0'), 2);
    s.rememberDelivered(deliveredKey('bob', 'm0'), 2);
    s.rememberDelivered(deliveredKey('bob', 'm1'), 2);
    s.rememberDelivered(deliveredKey('bob', 'm2'), 2); // starts the second generation
    s.rememberDelivered(deliveredKey('bob', 'm1'), 2); // held already: no room taken
    s.rememberDelivered(deliveredKey('bob', 'm3'), 2);
    expect(['m0', 'm1', 'm2', 'm3'].map((id) => s.wasDelivered(deliveredKey('bob', id)))).toEqual([true, true, true, true]);
  });

  it('knows nothing before the first delivery', () => {
    expect(session().wasDelivered(deliveredKey('bob', 'm0'))).toBe(false);
  });
});

describe('InflightSends', () => {
  it('finds a message on its way by id and forgets it when done', () => {
    const inflight = new InflightSends();
    const a = Promise.resolve('a');
    const b = Promise.resolve('b');
    const c = Promise.resolve('c');
    inflight.add('m1', a);
    inflight.add('m2', b);
    inflight.add('m3', c);
    expect(inflight.get('m2')).toBe(b);
    inflight.delete('m1'); // the last one takes its place
    expect([inflight.get('m1'), inflight.get('m2'), inflight.get('m3')]).toEqual([undefined, b, c]);
    inflight.delete('m3');
    inflight.delete('m3');
    inflight.delete('nope');
    expect(inflight.size).toBe(1);
    expect(inflight.get('m2')).toBe(b);
    inflight.delete('m2');
    expect(inflight.size).toBe(0);
    expect(inflight.get('m2')).toBeUndefined();
  });
});
