import { Logger } from '@nestjs/common';
import type { WebhooksConfig } from '../config/webhooks.config';
import type { DispatcherService } from '../dispatch/dispatcher.service';
import { OutboxSignal } from '../dispatch/outbox-signal';
import type { MessagesStream } from '../messages/messages-stream';
import type { FanoutProbe, FanoutRepository, FanoutResult, MessagesFanoutResult } from './fanout.repository';
import { FANOUT_RETRY_MS, FanoutService } from './fanout.service';

const IDLE = 30_000;
const POLL = 200;
const config = {
  WEBHOOK_EVENTS_POLL_MS: POLL,
  WEBHOOK_IDLE_POLL_MS: IDLE,
  WEBHOOK_FANOUT_BATCH: 500,
  WEBHOOK_MESSAGES_BATCH: 500,
} as WebhooksConfig;

const noEndpoint: FanoutProbe = { anyEndpoint: false, eventsWaiting: false, messagesWanted: false, messages: { lastSeq: 0, epoch: 0 } };
const quiet: FanoutProbe = { anyEndpoint: true, eventsWaiting: false, messagesWanted: true, messages: { lastSeq: 7, epoch: 1 } };
const noRows: FanoutResult = { busy: false, events: 0, rows: 0 };
const noMessages: MessagesFanoutResult = { busy: false, messages: 0, rows: 0, skipped: 0 };

/** The fan-out's sleeping and waking (issue 14), with fake timers. */
describe('FanoutService', () => {
  let probe: jest.Mock<Promise<FanoutProbe>, []>;
  let fanOut: jest.Mock<Promise<FanoutResult>, [number, number, string | undefined]>;
  let fanOutMessages: jest.Mock<Promise<MessagesFanoutResult>, unknown[]>;
  let position: jest.Mock<Promise<{ epoch: number; lastSeq: number } | null>, []>;
  let wakeDispatcher: jest.Mock;
  let signal: OutboxSignal;
  let sut: FanoutService;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    jest.useFakeTimers();
    probe = jest.fn().mockResolvedValue(noEndpoint);
    fanOut = jest.fn().mockResolvedValue(noRows);
    fanOutMessages = jest.fn().mockResolvedValue(noMessages);
    position = jest.fn().mockResolvedValue({ epoch: 1, lastSeq: 7 });
    wakeDispatcher = jest.fn();
    const repository = { ensureCursor: jest.fn().mockResolvedValue(undefined), probe, fanOut, fanOutMessages } as unknown as FanoutRepository;
    const messages = { ensure: jest.fn().mockResolvedValue(undefined), position, read: jest.fn() } as unknown as MessagesStream;
    signal = new OutboxSignal('postgresql://unused');
    sut = new FanoutService(config, repository, { wake: wakeDispatcher } as unknown as DispatcherService, messages, signal);
  });

  afterEach(async () => {
    await sut.onApplicationShutdown();
    jest.useRealTimers();
  });

  async function start(): Promise<void> {
    await sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(probe).toHaveBeenCalledTimes(1);
  }

  it('with no endpoint: one statement every WEBHOOK_IDLE_POLL_MS ± 20 %, no transaction, no stream lookup', async () => {
    await start();
    await jest.advanceTimersByTimeAsync(0.8 * IDLE - 100);
    expect(probe).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(0.4 * IDLE + 200);
    expect(probe).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(10 * IDLE);
    expect(probe.mock.calls.length).toBeGreaterThanOrEqual(2 + 8);
    expect(probe.mock.calls.length).toBeLessThanOrEqual(2 + 13);
    expect(fanOut).not.toHaveBeenCalled();
    expect(fanOutMessages).not.toHaveBeenCalled();
    expect(position).not.toHaveBeenCalled();
  });

  it('an endpoint created or enabled wakes it at once; it then fans out, wakes its dispatcher, and polls every WEBHOOK_EVENTS_POLL_MS', async () => {
    await start();
    probe.mockResolvedValue({ ...quiet, eventsWaiting: true });
    fanOut.mockResolvedValueOnce({ busy: false, events: 3, rows: 3 });
    signal.notified('e');
    await jest.advanceTimersByTimeAsync(0);
    expect(probe).toHaveBeenCalledTimes(2);
    // The other replicas learn of the rows from the NOTIFY the transaction sends.
    expect(fanOut).toHaveBeenCalledWith(500, expect.any(Number), signal.duePayload);
    expect(wakeDispatcher).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1.2 * POLL + 1);
    expect(probe).toHaveBeenCalledTimes(3);
  });

  it('with endpoints and nothing new: one statement and one stream lookup per poll, no transaction', async () => {
    probe.mockResolvedValue(quiet);
    await start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(probe.mock.calls.length).toBeGreaterThanOrEqual(1 + 4);
    expect(position).toHaveBeenCalledTimes(probe.mock.calls.length);
    expect(fanOut).not.toHaveBeenCalled();
    expect(fanOutMessages).not.toHaveBeenCalled();
    expect(wakeDispatcher).not.toHaveBeenCalled();
  });

  it('with no endpoint naming a message type: no stream lookup at all', async () => {
    probe.mockResolvedValue({ ...quiet, messagesWanted: false });
    await start();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(probe.mock.calls.length).toBeGreaterThanOrEqual(1 + 4);
    expect(position).not.toHaveBeenCalled();
    expect(fanOutMessages).not.toHaveBeenCalled();
  });

  it.each([
    ['a newer message', { epoch: 1, lastSeq: 8 }],
    ['a stream created again', { epoch: 2, lastSeq: 7 }],
    ['no stream yet', null],
    ['NATS failing', new Error('timeout')],
  ])('opens the messages transaction on %s', async (_, answer) => {
    probe.mockResolvedValue(quiet);
    if (answer instanceof Error) position.mockRejectedValue(answer);
    else position.mockResolvedValue(answer);
    fanOutMessages.mockResolvedValueOnce({ busy: false, messages: 1, rows: 2, skipped: 0 });
    await start();
    expect(fanOutMessages).toHaveBeenCalledTimes(1);
    expect(fanOutMessages.mock.calls[0]![3]).toBe(signal.duePayload);
    expect(fanOut).not.toHaveBeenCalled();
    expect(wakeDispatcher).toHaveBeenCalledTimes(1);
  });

  it('goes again at once after a full batch', async () => {
    probe.mockResolvedValue({ ...quiet, eventsWaiting: true });
    fanOut.mockResolvedValueOnce({ busy: false, events: 500, rows: 0 });
    await start();
    await jest.advanceTimersByTimeAsync(1);
    expect(fanOut).toHaveBeenCalledTimes(2);
  });

  it('a wake during a round does not start a second one beside it: one more round follows at once', async () => {
    let release!: (p: FanoutProbe) => void;
    await start();
    probe.mockImplementationOnce(() => new Promise((resolve) => (release = resolve)));
    signal.notified('e');
    await jest.advanceTimersByTimeAsync(0);
    expect(probe).toHaveBeenCalledTimes(2);
    signal.notified('e');
    signal.notified('e');
    await jest.advanceTimersByTimeAsync(0);
    expect(probe).toHaveBeenCalledTimes(2);
    release(noEndpoint);
    await jest.advanceTimersByTimeAsync(0);
    expect(probe).toHaveBeenCalledTimes(3);
    await jest.advanceTimersByTimeAsync(0.8 * IDLE - 100);
    expect(probe).toHaveBeenCalledTimes(3);
  });

  it('retries a failed round after FANOUT_RETRY_MS ± 20 %, not after the idle poll', async () => {
    probe.mockRejectedValueOnce(new Error('connection refused'));
    await start();
    await jest.advanceTimersByTimeAsync(1.2 * FANOUT_RETRY_MS + 10);
    expect(probe).toHaveBeenCalledTimes(2);
  });

  it('ignores wakes before it started and after it stopped', async () => {
    signal.notified('e');
    await jest.advanceTimersByTimeAsync(0);
    expect(probe).not.toHaveBeenCalled();
    await start();
    await sut.onApplicationShutdown();
    signal.notified('e');
    await jest.advanceTimersByTimeAsync(2 * IDLE);
    expect(probe).toHaveBeenCalledTimes(1);
  });
});
