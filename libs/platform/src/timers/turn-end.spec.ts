import { afterTurnEnd, atTurnEnd } from './turn-end';

/** Resolves after the immediates queued before it (an event-loop turn's check phase). */
const turn = () => new Promise((r) => setImmediate(r));

describe('atTurnEnd / afterTurnEnd', () => {
  it('runs the turn’s work, then its writes, in the order queued, once each', async () => {
    const log: string[] = [];
    afterTurnEnd(() => log.push('write'));
    atTurnEnd(() => log.push('a'));
    atTurnEnd(() => log.push('b'));
    await Promise.resolve();
    expect(log).toEqual([]);
    await turn();
    expect(log).toEqual(['a', 'b', 'write']);
    await turn();
    expect(log).toEqual(['a', 'b', 'write']);
  });

  it('runs in the same pass what the work queues, synchronously or in its microtasks, before the writes', async () => {
    const log: string[] = [];
    atTurnEnd(() => {
      log.push('flush');
      atTurnEnd(() => log.push('nested'));
      void Promise.resolve().then(() => {
        log.push('microtask');
        afterTurnEnd(() => log.push('write'));
        atTurnEnd(() => log.push('late work'));
      });
    });
    let after = false;
    setImmediate(() => (after = log.includes('write')));
    await turn();
    expect(log).toEqual(['flush', 'nested', 'microtask', 'late work', 'write']);
    // All of it happened before an immediate queued right after the first call.
    expect(after).toBe(true);
  });

  it('writes queued by a write run in the same pass', async () => {
    const log: string[] = [];
    afterTurnEnd(() => {
      log.push('w1');
      afterTurnEnd(() => log.push('w2'));
    });
    await turn();
    expect(log).toEqual(['w1', 'w2']);
  });

  it('keeps going past a callback that throws (logged), and schedules again afterwards', async () => {
    const log: string[] = [];
    atTurnEnd(() => {
      throw new Error('boom');
    });
    atTurnEnd(() => log.push('next'));
    afterTurnEnd(() => log.push('write'));
    await turn();
    expect(log).toEqual(['next', 'write']);
    atTurnEnd(() => log.push('again'));
    await turn();
    expect(log).toEqual(['next', 'write', 'again']);
  });
});
