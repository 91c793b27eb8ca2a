import { Backoff } from './backoff';
import { UrlRotation } from './url-rotation';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap, jittered within [d/2, d]', () => {
    const low = new Backoff(300, 5000, () => 0);
    expect(Array.from({ length: 7 }, () => low.next())).toEqual([150, 300, 600, 1200, 2400, 2500, 2500]);
    const high = new Backoff(300, 5000, () => 1);
    expect(Array.from({ length: 6 }, () => high.next())).toEqual([300, 600, 1200, 2400, 4800, 5000]);
    high.reset();
    expect(high.next()).toBe(300);
  });
});

describe('UrlRotation', () => {
  it('stays on the current URL and wraps around on advance()', () => {
    const urls = new UrlRotation(['a', 'b']);
    expect(urls.current).toBe('a');
    expect(urls.advance()).toBe('b');
    expect(urls.advance()).toBe('a');
    expect(() => new UrlRotation([])).toThrow();
  });
});
