import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ErrorCode, ParleyError } from '@parley/contracts';
import { connectNatsClients, type NatsClients } from './nats-connect';
import { NoRespondersError } from './service-client';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** What a request failed with (or undefined when it succeeded). */
async function failure(p: Promise<unknown>): Promise<ParleyError | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err !== undefined) expect(err).toBeInstanceOf(ParleyError);
  return err as ParleyError | undefined;
}

/** NatsBus.serve against the machine's NATS server, called through ServiceClient as a gateway calls a service. */
describe('NatsBus.serve (NATS)', () => {
  let server: NatsClients;
  let caller: NatsClients;
  // A subject of this run only (jest workers and other runs share the server).
  const subject = (name: string) => `parleytest${randomBytes(4).toString('hex')}.serve.${name}`;

  beforeAll(async () => {
    Logger.overrideLogger(false); // the UNKNOWN case logs its stack: expected here
    server = await connectNatsClients({ servers: NATS_URL, name: 'nats-bus-int-server' });
    caller = await connectNatsClients({ servers: NATS_URL, name: 'nats-bus-int-caller', serviceTimeoutMs: 2_000 });
  });

  afterAll(async () => {
    await caller?.close();
    await server?.close();
  });

  it('round-trips with ServiceClient: data in, the handler result back (binary stays binary, undefined is null)', async () => {
    const echo = subject('echo');
    const seen: unknown[] = [];
    server.bus.serve(
      echo,
      (data) => {
        seen.push(data);
        return (data as { none?: boolean }).none ? undefined : { echo: data };
      },
      { queue: 'q' },
    );
    await server.bus.flush();
    const bytes = new Uint8Array([0, 1, 2, 255]);
    expect(await caller.services.request(echo, { a: 1, bytes })).toEqual({ echo: { a: 1, bytes } });
    expect(await caller.services.requestIdempotent(echo, { async: true })).toEqual({ echo: { async: true } });
    expect(await caller.services.request(echo, { none: true })).toBeNull();
    expect(seen).toHaveLength(3);
  });

  it('answers typed errors for a handler that throws or rejects, and goes on serving', async () => {
    const failing = subject('failing');
    server.bus.serve(failing, (data) => {
      switch ((data as { how: string }).how) {
        case 'typed':
          throw new ParleyError(ErrorCode.EXCEED_LIMIT, 'too many', 250);
        case 'rejects':
          return Promise.reject(new Error('a bug'));
        case 'transient':
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        default:
          return 'fine';
      }
    });
    await server.bus.flush();

    const typed = await failure(caller.services.request(failing, { how: 'typed' }));
    expect([typed?.code, typed?.message, typed?.retryAfterMs]).toEqual([ErrorCode.EXCEED_LIMIT, 'too many', 250]);
    const bug = await failure(caller.services.request(failing, { how: 'rejects' }));
    expect([bug?.code, bug?.message]).toEqual([ErrorCode.UNKNOWN, 'internal error']); // no internals leak to the caller
    const transient = await failure(caller.services.request(failing, { how: 'transient' }));
    expect(transient?.code).toBe(ErrorCode.UNAVAILABLE);
    expect(transient?.retryAfterMs).toBeGreaterThan(0);
    expect(transient).not.toBeInstanceOf(NoRespondersError); // answered: the service runs
    expect(await caller.services.request(failing, { how: 'ok' })).toBe('fine');
  });

  it('survives an undecodable request: answers INVALID_ARGUMENT in the envelope and serves the next one', async () => {
    const fragile = subject('fragile');
    server.bus.serve(fragile, () => 'still here');
    await server.bus.flush();

    // 0xc1 is never valid MessagePack
    const reply = await caller.bus.connection.request(fragile, new Uint8Array([0xc1, 0xc1]), { timeout: 2_000 });
    expect(caller.bus.decode(reply.data)).toEqual({
      response: { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: expect.any(String) } },
      isDisposed: true,
    });
    expect(await caller.services.request(fragile, {})).toBe('still here');
  });

  it('takes a bare body (no envelope) as the data, like a Nest event, also one with a data field', async () => {
    const bare = subject('bare');
    const got: unknown[] = [];
    server.bus.serve(bare, (data) => void got.push(data));
    await server.bus.flush();
    caller.bus.publish(bare, { kind: 1, data: new Uint8Array([7]) });
    await caller.bus.flush();
    await server.bus.flush();
    expect(got).toEqual([{ kind: 1, data: new Uint8Array([7]) }]);
  });

  it('calls the handler synchronously in arrival order (an upload writes its chunks in order)', async () => {
    const ordered = subject('ordered');
    const order: number[] = [];
    server.bus.serve(ordered, async (data) => {
      order.push(data as number);
      await new Promise((r) => setTimeout(r, 10 - (data as number))); // later requests finish first
      return data;
    });
    await server.bus.flush();
    const answers = await Promise.all([0, 1, 2, 3, 4].map((n) => caller.services.request(ordered, n)));
    expect(answers).toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('leaves requests it does not accept to another responder', async () => {
    const shared = subject('shared');
    const other = await connectNatsClients({ servers: NATS_URL, name: 'nats-bus-int-other' });
    try {
      server.bus.serve(shared, () => 'mine', { accepts: (data) => (data as { app?: string })?.app === 'mine' });
      other.bus.serve(shared, () => 'theirs', { accepts: (data) => (data as { app?: string })?.app === 'theirs' });
      await Promise.all([server.bus.flush(), other.bus.flush()]);
      for (let i = 0; i < 5; i++) {
        expect(await caller.services.request(shared, { app: 'mine' })).toBe('mine');
        expect(await caller.services.request(shared, { app: 'theirs' })).toBe('theirs');
      }
      expect((await failure(caller.services.request(shared, { app: 'nobody' }, 300)))?.code).toBe(ErrorCode.TIMEOUT);
    } finally {
      await other.close();
    }
  });

  it('stops answering after unsubscribe (a request then finds no responder)', async () => {
    const leaving = subject('leaving');
    const sub = server.bus.serve(leaving, () => 'here');
    await server.bus.flush();
    expect(await caller.services.request(leaving, {})).toBe('here');
    server.bus.unsubscribe(sub);
    await server.bus.flush();
    const none = await failure(caller.services.request(leaving, {}));
    expect(none?.code).toBe(ErrorCode.UNAVAILABLE);
    expect(none).toBeInstanceOf(NoRespondersError); // what a batch's rollout fallback waits for
  });
});

/** ServiceClient.gather: one request, every subscriber (no queue group) answers. */
describe('ServiceClient.gather (NATS)', () => {
  let servers: NatsClients[];
  let caller: NatsClients;
  const subject = (name: string) => `parleytest${randomBytes(4).toString('hex')}.gather.${name}`;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    servers = await Promise.all([0, 1, 2].map((i) => connectNatsClients({ servers: NATS_URL, name: `nats-gather-int-${i}` })));
    caller = await connectNatsClients({ servers: NATS_URL, name: 'nats-gather-int-caller' });
  });

  afterAll(async () => {
    await caller?.close();
    await Promise.all((servers ?? []).map((s) => s.close()));
  });

  it('collects every answer; stops as soon as the expected number came', async () => {
    const all = subject('all');
    servers.forEach((s, i) => s.bus.serve(all, (data) => ({ i, data })));
    await Promise.all(servers.map((s) => s.bus.flush()));
    const started = performance.now();
    const answers = await caller.services.gather<{ i: number; data: unknown }>(all, { x: 1 }, { windowMs: 2_000, expected: 3 });
    expect(answers.map((a) => a.i).sort()).toEqual([0, 1, 2]);
    expect(answers.every((a) => (a.data as { x: number }).x === 1)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('waits the whole window when fewer answer than expected, and leaves failed answers out', async () => {
    const some = subject('some');
    servers[0]!.bus.serve(some, () => 'ok');
    servers[1]!.bus.serve(some, () => {
      throw new ParleyError(ErrorCode.INVALID_ARGUMENT, 'no');
    });
    await Promise.all(servers.map((s) => s.bus.flush()));
    const started = performance.now();
    expect(await caller.services.gather(some, {}, { windowMs: 300, expected: 5 })).toEqual(['ok']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('is an empty list when nobody subscribes', async () => {
    expect(await caller.services.gather(subject('nobody'), {}, { windowMs: 300 })).toEqual([]);
  });
});

/** coalesceWrites on the installed nats.js (connectNats applies it): recognised, and nothing lost or reordered. */
describe('one write per turn to NATS (coalesceWrites)', () => {
  it('applies to this nats.js and keeps every message, in order, across callbacks and setImmediates', async () => {
    const { connect } = await import('nats');
    const { coalesceWrites } = await import('./coalesce-writes');
    const raw = await connect({ servers: NATS_URL });
    expect(coalesceWrites(raw)).toBe(true);
    await raw.close();

    const a = await connectNatsClients({ servers: NATS_URL, name: 'coalesce-a' });
    const b = await connectNatsClients({ servers: NATS_URL, name: 'coalesce-b' });
    try {
      const subject = `parleytest${randomBytes(4).toString('hex')}.order`;
      const got: number[] = [];
      b.bus.subscribe(subject, (body) => void got.push(body as number));
      await b.bus.flush();
      let n = 0;
      for (let round = 0; round < 20; round++) {
        a.bus.publish(subject, n++);
        setImmediate(() => a.bus.publish(subject, n++));
        await Promise.resolve().then(() => a.bus.publish(subject, n++));
        await new Promise((r) => setTimeout(r, 1));
      }
      await a.bus.flush();
      const deadline = Date.now() + 5_000;
      while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(got).toEqual(Array.from({ length: n }, (_, i) => i));
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/** The services' replies leave on Nest's own connection: it writes once per turn too. */
describe("Nest's server connection (PrefixedNatsServer)", () => {
  it('writes the commands of one turn with one socket write', async () => {
    const { PrefixedNatsServer } = await import('./prefixed-nats-server');
    const server = new PrefixedNatsServer({ servers: [NATS_URL], name: 'coalesce-server' }, 'svc');
    const nc = await server.createNatsClient();
    try {
      await nc.flush();
      const transport = (nc as unknown as { protocol: { transport: { send(d: Uint8Array): void } } }).protocol.transport;
      const send = jest.spyOn(transport, 'send');
      const subject = `parleytest${randomBytes(4).toString('hex')}.replies`;
      // Replies to one turn's requests, each from a callback of its own (a microtask apart).
      for (let i = 0; i < 20; i++) await Promise.resolve().then(() => nc.publish(subject));
      await new Promise((r) => setTimeout(r, 20));
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      await nc.close();
    }
  });
});
