import { MESSAGE_RATE, RateWindow } from './rate-window';
import { RecentKeys } from './recent-keys';

describe('RateWindow', () => {
  it('allows max calls in any window, sliding', () => {
    const w = new RateWindow(3, 1000);
    expect([w.take(0), w.take(100), w.take(200), w.take(300)]).toEqual([true, true, true, false]);
    expect(w.take(999)).toBe(false);
    expect(w.take(1000)).toBe(true); // the call at 0 left the window
    expect(w.take(1050)).toBe(false);
    expect(w.take(1100)).toBe(true);
    w.reset();
    expect([w.take(1101), w.take(1102)]).toEqual([true, true]);
  });

  it('the message budget is 180 per 3 s', () => {
    expect(MESSAGE_RATE).toEqual({ max: 180, windowMs: 3000 });
  });
});

describe('RecentKeys', () => {
  it('reports duplicates and forgets the least recently seen key beyond capacity', () => {
    const keys = new RecentKeys(3);
    expect(['a', 'b', 'c'].map((k) => keys.add(k))).toEqual([true, true, true]);
    expect(keys.add('a')).toBe(false); // a is now the most recent
    expect(keys.add('d')).toBe(true); // b is dropped
    expect([keys.has('a'), keys.has('b'), keys.has('c'), keys.has('d')]).toEqual([true, false, true, true]);
    expect(keys.size).toBe(3);
    keys.clear();
    expect(keys.add('a')).toBe(true);
  });
});
