import { Logger } from '@nestjs/common';
import { OutboxSignal } from './outbox-signal';

describe('OutboxSignal', () => {
  beforeAll(() => Logger.overrideLogger(false));

  function subscribed() {
    const signal = new OutboxSignal('postgresql://unused');
    const due = jest.fn();
    const endpoint = jest.fn();
    const capture = jest.fn();
    signal.subscribe({ due, endpoint, capture });
    return { signal, due, endpoint, capture };
  }

  it("routes the payloads: an endpoint wakes the fan-out and the dispatcher, a replay or another replica's rows the dispatcher", () => {
    const { signal, due, endpoint } = subscribed();
    signal.notified('e');
    expect([endpoint.mock.calls.length, due.mock.calls.length]).toEqual([1, 1]);
    signal.notified('r');
    signal.notified('d:0123456789ab');
    expect([endpoint.mock.calls.length, due.mock.calls.length]).toEqual([1, 3]);
  });

  it('a change of the capture settings goes to the relay only (no claim, no fan-out wake)', () => {
    const { signal, due, endpoint, capture } = subscribed();
    signal.notified('c');
    expect([capture.mock.calls.length, endpoint.mock.calls.length, due.mock.calls.length]).toEqual([1, 0, 0]);
  });

  it('ignores its own fan-out (the dispatcher was called) and treats an unknown payload as rows due', () => {
    const { signal, due, endpoint } = subscribed();
    expect(signal.duePayload).toBe(`d:${signal.replicaId}`);
    signal.notified(signal.duePayload);
    expect(due).not.toHaveBeenCalled();
    signal.notified('x:newer');
    expect(due).toHaveBeenCalledTimes(1);
    expect(endpoint).not.toHaveBeenCalled();
  });

  it('one failing handler does not keep the others from running; a removed one no longer runs', () => {
    const signal = new OutboxSignal('postgresql://unused');
    const after = jest.fn();
    signal.subscribe({
      due: () => {
        throw new Error('boom');
      },
    });
    const remove = signal.subscribe({ due: after });
    signal.notified('r');
    expect(after).toHaveBeenCalledTimes(1);
    remove();
    signal.notified('r');
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('two replicas have different marks', () => {
    expect(new OutboxSignal('postgresql://unused').replicaId).not.toBe(new OutboxSignal('postgresql://unused').replicaId);
  });
});
