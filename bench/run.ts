import { parseArgs } from 'node:util';
import type { ClientKind } from './lib/clients';
import { fanout } from './fanout';
import { idle } from './idle';
import { p2p } from './p2p';

/**
 * npm run bench -- <mode> [options]
 *   p2p       peer messages with receiver ack (default 200 pairs × 4 in flight, 10 s)
 *   latency   the same with 10 pairs × 1 in flight (p50/p99)
 *   offline   peer messages to logged-out receivers, then the flush at their login
 *   idle      RSS per idle logged-in connection (default 2000 connections on one gateway)
 *   fanout    one channel of --members (2000) over two gateways, --senders (1) × --window (4) messages in flight
 * --client wire (default: the bare protocol, a lean load generator) or sdk (the real SDK in this process)
 */
async function main(): Promise<void> {
  const [mode = 'p2p', ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      pairs: { type: 'string' },
      inflight: { type: 'string' },
      seconds: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      bytes: { type: 'string', default: '64' },
      client: { type: 'string', default: 'wire' },
      connections: { type: 'string', default: '2000' },
      members: { type: 'string', default: '2000' },
      senders: { type: 'string', default: '1' },
      window: { type: 'string', default: '4' },
    },
  });
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  if (values.client !== 'wire' && values.client !== 'sdk') throw new Error('--client wire|sdk');
  const common = { seconds: num(values.seconds, 10), warmup: num(values.warmup, 2), bytes: num(values.bytes, 64), client: values.client as ClientKind };
  switch (mode) {
    case 'p2p':
      return p2p({ ...common, pairs: num(values.pairs, 200), inflight: num(values.inflight, 4), offline: false });
    case 'latency':
      return p2p({ ...common, pairs: num(values.pairs, 10), inflight: num(values.inflight, 1), offline: false });
    case 'offline':
      return p2p({ ...common, pairs: num(values.pairs, 200), inflight: num(values.inflight, 4), offline: true });
    case 'fanout':
      return fanout({ ...common, members: num(values.members, 2000), senders: num(values.senders, 1), window: num(values.window, 4) });
    case 'idle':
      return idle({ connections: num(values.connections, 2000), client: common.client });
    default:
      throw new Error(`unknown bench mode "${mode}" (p2p, latency, offline, idle, fanout)`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
