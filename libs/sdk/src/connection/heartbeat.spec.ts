import { Heartbeat } from './heartbeat';

/**
 * A stall of the process is simulated by moving the heartbeat's clock ahead of the timers' clock:
 * the next timer then fires "late" by that much, as after a long synchronous task.
 */
describe('Heartbeat', () => {
  const HB = 500; // dead after 2 × 500 + 1000 = 2000 ms
  let stall: number;
  let pings: number[];
  let dead: number;
  let heartbeat: Heartbeat;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    stall = 0;
    pings = [];
    dead = 0;
    const now = () => Date.now() + stall;
    heartbeat = new Heartbeat(
      HB,
      (ts) => {
        pings.push(ts - 1_000_000);
        heartbeat.sent();
      },
      () => dead++,
      now,
    );
    heartbeat.start();
  });

  afterEach(() => {
    heartbeat.stop();
    jest.useRealTimers();
  });

  it('pings after heartbeatMs of sending nothing and declares the link dead after 2 × heartbeatMs + 1 s of receiving nothing', () => {
    jest.advanceTimersByTime(1_999);
    expect(pings).toEqual([500, 1000, 1500]);
    expect(dead).toBe(0);
    jest.advanceTimersByTime(1);
    expect(dead).toBe(1);
    jest.advanceTimersByTime(10_000);
    expect(dead).toBe(1); // once, and no more pings after
    expect(pings).toEqual([500, 1000, 1500]);
  });

  it('stays alive while something arrives, and sends no ping while it sends', () => {
    for (let t = 0; t < 10_000; t += 250) {
      jest.advanceTimersByTime(250);
      heartbeat.received();
      heartbeat.sent();
    }
    expect(dead).toBe(0);
    expect(pings).toEqual([]);
  });

  it('does not count a stall of its own process as silence: it pings at once and gives the link heartbeatMs + 1 s', () => {
    jest.advanceTimersByTime(400);
    heartbeat.received();
    stall = 5_000; // the process was busy for 5 s; the check due at 500 runs at 5,500
    jest.advanceTimersByTime(100);
    expect(dead).toBe(0);
    expect(pings).toEqual([5_500]);
    jest.advanceTimersByTime(50);
    heartbeat.received(); // the PONG
    jest.advanceTimersByTime(1_900);
    expect(dead).toBe(0);
  });

  it('declares a link dead that stays silent after a stall, heartbeatMs + 1 s after it', () => {
    stall = 5_000;
    jest.advanceTimersByTime(500); // the first check, 5 s late
    expect(pings).toEqual([5_500]);
    jest.advanceTimersByTime(1_499);
    expect(dead).toBe(0);
    jest.advanceTimersByTime(1);
    expect(dead).toBe(1);
  });

  it('judges normally when its checks run only slightly late', () => {
    for (let i = 0; i < 8; i++) {
      stall += 200; // each check runs 200 ms late (under heartbeatMs): not a stall
      jest.advanceTimersByTime(250);
    }
    expect(dead).toBe(1);
  });
});
