import { TurnBatch } from './turn-batch';

describe('TurnBatch', () => {
  it('flushes the items of one turn together and answers each', async () => {
    const flushed: number[][] = [];
    const batch = new TurnBatch<number, number>(async (items) => {
      flushed.push(items);
      return items.map((i) => i * 10);
    });
    const first = await Promise.all([batch.add(1), batch.add(2), batch.add(3)]);
    const later = await batch.add(4);
    expect(first).toEqual([10, 20, 30]);
    expect(later).toBe(40);
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every item of a failed flush, and goes on', async () => {
    let fail = true;
    const batch = new TurnBatch<number, boolean>(async (items) => {
      if (fail) throw new Error('down');
      return items.map(() => true);
    });
    await expect(Promise.all([batch.add(1), batch.add(2)])).rejects.toThrow('down');
    fail = false;
    await expect(batch.add(3)).resolves.toBe(true);
  });
});
