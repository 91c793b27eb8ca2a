import { createCodec, ErrorCode, MessageKind, type AppId } from '@parley/contracts';
import { Subjects } from '@parley/contracts/internal';
import type { NatsBus, PrismaService } from '@parley/platform';
import { HistoryCapture } from './history-capture';

const codec = createCodec();
const app = 'a'.repeat(32) as AppId;
const m = { k: MessageKind.TEXT, text: 'hi' } as const;

function setup(publish: (subject: string, data: Uint8Array) => Promise<unknown>) {
  const js = { publish: jest.fn(publish) };
  const handlers = new Map<string, () => void>();
  const bus = {
    encode: (v: unknown) => codec.encode(v),
    jetstream: () => js,
    subscribe: jest.fn((subject: string, handler: () => void) => (handlers.set(subject, handler), { subject })),
    unsubscribe: jest.fn(),
  };
  const prisma = { $queryRaw: jest.fn(async () => [{ id: 'b'.repeat(32) }]) };
  const sut = new HistoryCapture(bus as unknown as NatsBus, prisma as unknown as PrismaService);
  return { sut, js, prisma, bus, handlers };
}

describe('HistoryCapture', () => {
  it('sends the captures of one turn as one JetStream message and resolves each once it is acknowledged', async () => {
    const { sut, js } = setup(async () => ({ seq: 1 }));
    await Promise.all([sut.peer(app, 'ann', 'bob', 'm1', 1, m), sut.channel(app, 'room', 'ann', 'm2', 2, m)]);
    expect(js.publish).toHaveBeenCalledTimes(1);
    const [subject, data] = js.publish.mock.calls[0]!;
    expect(subject).toMatch(new RegExp(`\\.hist\\.${app}$`));
    const batch = (codec.decode(data) as Uint8Array[]).map((b) => codec.decode(b));
    expect(batch).toEqual([
      { k: 'peer', appId: app, from: 'ann', to: 'bob', id: 'm1', ts: 1, m },
      { k: 'channel', appId: app, from: 'ann', to: 'room', id: 'm2', ts: 2, m },
    ]);
    await sut.peer(app, 'ann', 'bob', 'm3', 3, m);
    expect(js.publish).toHaveBeenCalledTimes(2);
  });

  it('fails every send of a batch JetStream did not take with UNAVAILABLE', async () => {
    const { sut } = setup(async () => Promise.reject(new Error('timeout')));
    const results = await Promise.allSettled([sut.peer(app, 'ann', 'bob', 'm1', 1, m), sut.peer(app, 'ann', 'bob', 'm2', 2, m)]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as { code: number }).code)).toEqual([ErrorCode.UNAVAILABLE, ErrorCode.UNAVAILABLE]);
  });

  it('stores what the sender asked for, and everything of the apps that store all', async () => {
    const { sut, prisma, bus, handlers } = setup(async () => ({}));
    await sut.onApplicationBootstrap();
    expect(sut.wants(app, true)).toBe(true);
    expect(sut.wants(app, false)).toBe(false);
    expect(sut.wants('b'.repeat(32), undefined)).toBe(true);
    // A change announced on NATS (the webhooks replicas relay the database's notification): read again at once.
    prisma.$queryRaw.mockResolvedValueOnce([{ id: app }]);
    handlers.get(Subjects.captureSettingsChanged)!();
    await new Promise((r) => setImmediate(r));
    expect(prisma.$queryRaw).toHaveBeenCalledTimes(2);
    expect([sut.wants(app, false), sut.wants('b'.repeat(32), undefined)]).toEqual([true, false]);
    sut.onApplicationShutdown();
    expect(bus.unsubscribe).toHaveBeenCalledWith({ subject: Subjects.captureSettingsChanged });
  });
});
