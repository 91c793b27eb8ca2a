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
    expect(load).toHaveBeenCalledTimes(reads);
  });
});
