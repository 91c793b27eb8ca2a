import type { Msg, NatsConnection, NatsError, Subscription } from 'nats';

type Callback = (err: NatsError | null, msg: Msg) => void;
import { RequestMux, TIMED_OUT } from './request-mux';

/** A NatsConnection that records publishes and lets the test deliver replies to the mux's inbox. */
function fakeNats() {
  let deliver: Callback | undefined;
  const published: { subject: string; reply: string }[] = [];
  const nc = {
    subscribe: (_subject: string, opts: { callback: Callback }) => {
      deliver = opts.callback;
      return { unsubscribe: jest.fn() } as unknown as Subscription;
    },
    publish: (subject: string, _data: Uint8Array, opts: { reply: string }) => published.push({ subject, reply: opts.reply }),
  } as unknown as NatsConnection;
  const reply = (to: string) => deliver!(null, { subject: to, headers: undefined } as unknown as Msg);
  return { nc, published, reply };
}

describe('RequestMux', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs no timer while nothing is pending (an idle process stays asleep)', () => {
    const { nc } = fakeNats();
    const sut = new RequestMux(nc);
    expect(jest.getTimerCount()).toBe(0);
    sut.onApplicationShutdown();
  });

  it('sweeps while a request is pending and stops once every request is settled', async () => {
    const { nc, published, reply } = fakeNats();
    const sut = new RequestMux(nc);
    const answered = sut.request('a', new Uint8Array(), 1_000);
    const timedOut = sut.request('b', new Uint8Array(), 300);
    expect(jest.getTimerCount()).toBe(1);

    reply(published[0]!.reply);
    await expect(answered).resolves.toMatchObject({ subject: published[0]!.reply });
    jest.advanceTimersByTime(250);
    expect(jest.getTimerCount()).toBe(1); // b is still pending
    jest.advanceTimersByTime(200);
    await expect(timedOut).resolves.toBe(TIMED_OUT);
    expect(jest.getTimerCount()).toBe(0);

    // the next request starts it again
    const again = sut.request('c', new Uint8Array(), 100);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(300);
    await expect(again).resolves.toBe(TIMED_OUT);
    expect(jest.getTimerCount()).toBe(0);
    sut.onApplicationShutdown();
  });

  it('settles what is pending at shutdown and leaves no timer', async () => {
    const { nc } = fakeNats();
    const sut = new RequestMux(nc);
    const pending = sut.request('a', new Uint8Array(), 60_000);
    sut.onApplicationShutdown();
    await expect(pending).resolves.toBe(TIMED_OUT);
    expect(jest.getTimerCount()).toBe(0);
  });
});
