import { Alarm, jittered } from './alarm';

describe('Alarm', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fires once, at the earliest time asked for', () => {
    const fire = jest.fn();
    const sut = new Alarm(fire);
    sut.in(1_000);
    sut.in(300);
    sut.in(2_000); // later than what is set: no change
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(299);
    expect(fire).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(fire).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(5_000);
    expect(fire).toHaveBeenCalledTimes(1);
    expect(sut.dueIn).toBe(Infinity);
  });

  it('can be set again from its own callback, and cancelled', () => {
    const sut: Alarm = new Alarm(() => sut.in(100));
    sut.in(100);
    jest.advanceTimersByTime(350);
    expect(sut.dueIn).toBe(50);
    sut.cancel();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('clamps delays Node cannot hold instead of firing at once', () => {
    const fire = jest.fn();
    new Alarm(fire).in(10 * 2 ** 31);
    jest.advanceTimersByTime(1_000);
    expect(fire).not.toHaveBeenCalled();
  });
});

describe('jittered', () => {
  it('stays within ± the spread', () => {
    for (let i = 0; i < 1_000; i++) {
      const v = jittered(1_000);
      expect(v).toBeGreaterThanOrEqual(800);
      expect(v).toBeLessThanOrEqual(1_200);
    }
  });
});
