import { CAPTURE_SETTINGS_REFRESH_MS } from '@parley/contracts/internal';
import { RefreshedAppSet } from './refreshed-app-set';

describe('RefreshedAppSet', () => {
  afterEach(() => jest.useRealTimers());

  it('reads at start and every refresh interval, keeps the last set when a read fails, and stops reading at stop', async () => {
    jest.useFakeTimers();
    const load = jest.fn<Promise<Iterable<string>>, []>().mockResolvedValueOnce(['a']).mockRejectedValueOnce(new Error('down')).mockResolvedValue(['b']);
    const failed = jest.fn();
    const set = new RefreshedAppSet(load, failed);
    expect(set.has('a')).toBe(false);
    await set.start();
    expect(set.has('a')).toBe(true);
    await jest.advanceTimersByTimeAsync(CAPTURE_SETTINGS_REFRESH_MS * 1.2);
    expect(failed).toHaveBeenCalledWith(new Error('down'));
    expect(set.has('a')).toBe(true);
    await jest.advanceTimersByTimeAsync(CAPTURE_SETTINGS_REFRESH_MS * 1.2);
    expect([set.has('a'), set.has('b')]).toEqual([false, true]);
    set.stop();
    const reads = load.mock.calls.length;
    await jest.advanceTimersByTimeAsync(CAPTURE_SETTINGS_REFRESH_MS * 5);
    set.changed();
    await jest.advanceTimersByTimeAsync(0);
    expect(load).toHaveBeenCalledTimes(reads);
  });

  it('reads again at once when told of a change, and not before the interval otherwise', async () => {
    jest.useFakeTimers();
    const load = jest.fn<Promise<Iterable<string>>, []>().mockResolvedValueOnce([]).mockResolvedValue(['a']);
    const set = new RefreshedAppSet(load, jest.fn());
    await set.start();
    await jest.advanceTimersByTimeAsync(CAPTURE_SETTINGS_REFRESH_MS * 0.75);
    expect(load).toHaveBeenCalledTimes(1); // no polling in between
    set.changed();
    await jest.advanceTimersByTimeAsync(0);
    expect([load.mock.calls.length, set.has('a')]).toEqual([2, true]);
    // The safety interval starts over from that read.
    await jest.advanceTimersByTimeAsync(CAPTURE_SETTINGS_REFRESH_MS * 0.75);
    expect(load).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(CAPTURE_SETTINGS_REFRESH_MS * 0.5);
    expect(load).toHaveBeenCalledTimes(3);
    set.stop();
  });

  it('never overlaps reads: changes announced during a read make exactly one more read after it', async () => {
    let release!: (ids: string[]) => void;
    const load = jest
      .fn<Promise<Iterable<string>>, []>()
      .mockResolvedValueOnce([])
      .mockImplementationOnce(() => new Promise((resolve) => (release = resolve)))
      .mockResolvedValue(['late']);
    const set = new RefreshedAppSet(load, jest.fn());
    await set.start();
    set.changed(); // read 2 starts and hangs
    set.changed();
    set.changed();
    expect(load).toHaveBeenCalledTimes(2);
    release(['early']);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(load).toHaveBeenCalledTimes(3);
    expect([set.has('early'), set.has('late')]).toEqual([false, true]);
    set.stop();
  });
});
