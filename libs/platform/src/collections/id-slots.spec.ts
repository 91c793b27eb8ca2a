import { IdSlots } from './id-slots';

describe('IdSlots', () => {
  it('sets, gets, replaces and takes entries by id', () => {
    const t = new IdSlots<string>();
    t.set(1, 'a');
    t.set(2, 'b');
    expect(t.get(1)).toBe('a');
    expect(t.get(3)).toBeUndefined();
    t.set(1, 'A');
    expect(t.size).toBe(2);
    expect(t.take(1)).toBe('A');
    expect(t.take(1)).toBeUndefined();
    expect(t.get(1)).toBeUndefined();
    expect(t.size).toBe(1);
  });

  it('does not answer for an id that only shares a slot with a live one', () => {
    const t = new IdSlots<string>(4);
    t.set(1, 'a');
    expect(t.get(5)).toBeUndefined(); // same slot as 1 in 4
    expect(t.take(5)).toBeUndefined();
    expect(t.get(1)).toBe('a');
  });

  it('grows when a new id meets a live older one, keeping every entry', () => {
    const t = new IdSlots<number>(4);
    for (let id = 1; id <= 100; id++) t.set(id, id * 10);
    expect(t.size).toBe(100);
    expect(t.capacity).toBeGreaterThanOrEqual(100);
    for (let id = 1; id <= 100; id++) expect(t.get(id)).toBe(id * 10);
  });

  it('keeps a straggler while ids move far past it', () => {
    const t = new IdSlots<string>(4);
    t.set(7, 'old');
    for (let id = 8; id < 5000; id++) {
      t.set(id, 'x');
      t.take(id);
    }
    expect(t.get(7)).toBe('old');
    expect(t.size).toBe(1);
    expect(t.capacity).toBeLessThanOrEqual(8192);
  });

  it('uses the low bits of ids past 2^32', () => {
    const t = new IdSlots<string>(4);
    const big = 2 ** 40 + 3;
    t.set(big, 'big');
    t.set(big + 1, 'next');
    t.set(big + 4, 'later'); // same slot as `big` in a table of 4: it grows
    expect([t.get(big), t.get(big + 1), t.get(big + 4), t.get(3)]).toEqual(['big', 'next', 'later', undefined]);
    expect(t.take(big)).toBe('big');
    expect(t.get(big)).toBeUndefined();
  });

  it('refuses two live ids that no table could keep apart, and changes nothing', () => {
    const t = new IdSlots<string>(4);
    t.set(3, 'a');
    expect(() => t.set(2 ** 32 + 3, 'b')).toThrow(/too far apart/);
    expect(t.get(3)).toBe('a');
    expect(t.size).toBe(1);
  });

  it('visits every entry once, and an entry may be taken while visited', () => {
    const t = new IdSlots<number>();
    for (let id = 1; id <= 20; id++) t.set(id, id);
    const seen: number[] = [];
    t.forEach((v, id) => {
      seen.push(id);
      if (v % 2 === 0) t.take(id);
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(t.size).toBe(10);
    expect(t.get(2)).toBeUndefined();
    expect(t.get(3)).toBe(3);
  });

  it('goes back to a small table once a burst has drained', () => {
    const t = new IdSlots<number>();
    for (let id = 1; id <= 1000; id++) t.set(id, id);
    expect(t.capacity).toBeGreaterThanOrEqual(1024);
    for (let id = 1; id <= 1000; id++) t.take(id);
    expect(t.size).toBe(0);
    expect(t.capacity).toBe(16);
    t.set(1001, 1);
    expect(t.get(1001)).toBe(1);
  });

  it('stops visiting when the visitor empties the table', () => {
    const t = new IdSlots<number>();
    for (let id = 1; id <= 300; id++) t.set(id, id);
    let visits = 0;
    t.forEach(() => {
      visits++;
      for (let i = 1; i <= 300; i++) t.take(i);
    });
    expect(visits).toBe(1);
    expect(t.size).toBe(0);
  });
});
