import { heartbeatInterval } from './heartbeat-interval';

const config = { HEARTBEAT_MS: 2_000, HEARTBEAT_MAX_MS: 15_000, HEARTBEAT_PINGS_PER_S: 4_000 };

/** Opens `n` connections one after another: the intervals they are told, and the idle ping rate then. */
function open(n: number, c = config, rate = 0): { intervals: number[]; rate: number } {
  const intervals: number[] = [];
  for (let i = 0; i < n; i++) {
    const hb = heartbeatInterval(rate, c);
    intervals.push(hb);
    rate += 1000 / hb;
  }
  return { intervals, rate };
}

describe('heartbeatInterval', () => {
  it('tells HEARTBEAT_MS while the clients’ pings fit in HEARTBEAT_PINGS_PER_S', () => {
    const { intervals, rate } = open(8_000);
    expect(new Set(intervals)).toEqual(new Set([2_000]));
    expect(rate).toBeCloseTo(4_000);
  });

  it('tells HEARTBEAT_MAX_MS once the budget is spent: 50,000 idle clients ping 6,800 times a second, not 25,000', () => {
    const { intervals, rate } = open(50_000);
    expect(intervals.filter((hb) => hb === 2_000)).toHaveLength(8_000);
    expect(intervals.filter((hb) => hb === 15_000)).toHaveLength(42_000);
    expect(rate).toBeLessThan(6_801);
  });

  it('fits what is left of the budget with the shortest whole-second interval', () => {
    expect(heartbeatInterval(3_999.625, config)).toBe(3_000); // 0.375/s left: 2.67 s → 3 s
    expect(heartbeatInterval(3_999.875, config)).toBe(8_000); // 0.125/s left
    expect(heartbeatInterval(3_999.95, config)).toBe(15_000); // less than one ping per HEARTBEAT_MAX_MS left
  });

  it('gives the budget of closed connections to the next ones', () => {
    const { rate } = open(8_000);
    expect(heartbeatInterval(rate, config)).toBe(15_000);
    expect(heartbeatInterval(rate - 1000 / 2_000, config)).toBe(2_000); // one of them closed
  });

  it('never tells less than HEARTBEAT_MS, nor more than the larger of the two', () => {
    expect(heartbeatInterval(0, { ...config, HEARTBEAT_MS: 300 })).toBe(300);
    expect(heartbeatInterval(1e9, { ...config, HEARTBEAT_MAX_MS: 1_000 })).toBe(2_000);
  });
});
