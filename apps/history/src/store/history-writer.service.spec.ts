import { MessageKind } from '@parley/contracts';
import type { HistoryCapture } from '@parley/contracts/internal';
import type { JsMsg } from 'nats';
import { readHistoryConfig } from '../config/history.config';
import type { Fetched, HistoryQueue } from './history-queue';
import type { HistoryStoreRepository } from './history-store.repository';
import { HistoryWriterService } from './history-writer.service';
import { dayOf, type PartitionsRepository } from './partitions.repository';

const DAY_MS = 86_400_000;
const config = readHistoryConfig({ HISTORY_QUEUE_MAX_AGE_MS: String(DAY_MS) });

const capture = (id: string, ts: number): HistoryCapture => ({
  k: 'peer',
  appId: '876922cbca0098dff4323566daa89675',
  from: 'amy',
  to: 'bob',
  id,
  ts,
  m: { k: MessageKind.TEXT, text: id },
});

function fetched(captures: HistoryCapture[], dropped = 0): Fetched & { msg: { ack: jest.Mock; nak: jest.Mock } } {
  return { msg: { ack: jest.fn(), nak: jest.fn() } as unknown as JsMsg & { ack: jest.Mock; nak: jest.Mock }, captures, dropped };
}

function setup(insert: (c: readonly HistoryCapture[]) => Promise<number>) {
  const order: string[] = [];
  const repository = { insert: jest.fn(async (c: readonly HistoryCapture[]) => (order.push(`insert ${c.length}`), insert(c))) };
  const partitions = { ensure: jest.fn(async (days: Iterable<number>) => void order.push(`ensure ${[...days].length}`)) };
  const sut = new HistoryWriterService(
    {} as HistoryQueue,
    repository as unknown as HistoryStoreRepository,
    partitions as unknown as PartitionsRepository,
    config,
  );
  return { sut, repository, partitions, order };
}

describe('HistoryWriterService.write', () => {
  it('stores a batch by one insert and acknowledges every queue message only after it', async () => {
    let acked = 0;
    const { sut, repository } = setup(async (c) => {
      expect(acked).toBe(0);
      return c.length;
    });
    const now = Date.now();
    const batch = [fetched([capture('a', now), capture('b', now)]), fetched([capture('c', now)])];
    for (const f of batch) f.msg.ack.mockImplementation(() => acked++);
    await sut.write(batch);
    expect(repository.insert).toHaveBeenCalledTimes(1);
    expect(repository.insert.mock.calls[0]![0].map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(acked).toBe(2);
  });

  it('acknowledges nothing when the insert fails (the queue redelivers)', async () => {
    const { sut } = setup(async () => {
      throw new Error('connection terminated');
    });
    const f = fetched([capture('a', Date.now())]);
    await expect(sut.write([f])).rejects.toThrow('connection terminated');
    expect(f.msg.ack).not.toHaveBeenCalled();
  });

  it('drops captures older than the queue’s outage budget, still acknowledging their message', async () => {
    const { sut, repository } = setup(async (c) => c.length);
    const now = Date.now();
    const f = fetched([capture('old', now - DAY_MS - 60_000), capture('new', now)], 1);
    await sut.write([f]);
    expect(repository.insert.mock.calls[0]![0].map((c) => c.id)).toEqual(['new']);
    expect(f.msg.ack).toHaveBeenCalledTimes(1);
  });

  it('creates the missing day partition and inserts again when a capture’s day has none', async () => {
    let first = true;
    const { sut, partitions, order } = setup(async (c) => {
      if (first) {
        first = false;
        throw new Error('no partition of relation "history_messages" found for row');
      }
      return c.length;
    });
    const ahead = Date.now() + 5 * DAY_MS;
    const f = fetched([capture('a', ahead)]);
    await sut.write([f]);
    expect(order).toEqual(['insert 1', 'ensure 1', 'insert 1']);
    expect([...(partitions.ensure.mock.calls[0]![0] as Iterable<number>)]).toEqual([dayOf(ahead)]);
    expect(f.msg.ack).toHaveBeenCalledTimes(1);
  });

  it('does not retry other insert errors', async () => {
    const { sut, partitions, repository } = setup(async () => {
      throw new Error('value too long');
    });
    await expect(sut.write([fetched([capture('a', Date.now())])])).rejects.toThrow('value too long');
    expect(partitions.ensure).not.toHaveBeenCalled();
    expect(repository.insert).toHaveBeenCalledTimes(1);
  });
});
