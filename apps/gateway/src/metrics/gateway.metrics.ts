import { ErrorCode, errorCodeName, MessageKind, opName, ParleyError, PeerDelivery } from '@parley/contracts';
import { counter, gauge, histogram, LATENCY_SECONDS_BUCKETS, type CounterCell, type HistogramCell } from '@parley/platform/telemetry';

/**
 * The gateway's instruments. Hot paths use cells bound here once (a number increment each); no
 * attribute ever carries an app id, uid or channel.
 */
export const connectionsGauge = gauge('parley.gateway.connections', 'Open WebSocket connections, logged in or not');
export const sessionsGauge = gauge(
  'parley.gateway.sessions',
  'Sessions this gateway holds, by state: online (connected) or unreachable (connection lost, inside the reconnect window)',
);

const logins = counter('parley.gateway.logins', 'Login attempts by result: ok, or the ErrorCode name of the failure');
const loginOk = logins.bind({ result: 'ok' });
const loginFailed = logins.keyed((code: number) => ({ result: errorCodeName(code) }));

export function countLogin(err?: unknown): void {
  if (err === undefined) loginOk.add();
  else loginFailed.get(err instanceof ParleyError ? err.code : ErrorCode.UNKNOWN).add();
}

const requests = counter('parley.gateway.requests', 'Client requests by op and result (ok or the ErrorCode name)');
const requestCells = new Map<number, { ok: CounterCell; failed: Map<number, CounterCell> }>();

/** One request answered; `op` is a known op (unknown ones are answered before any handler runs). */
export function countRequest(op: number, code: number): void {
  let cells = requestCells.get(op);
  if (!cells) requestCells.set(op, (cells = { ok: requests.bind({ op: opName(op), result: 'ok' }), failed: new Map() }));
  if (code === ErrorCode.OK) return cells.ok.add();
  let failed = cells.failed.get(code);
  if (!failed) cells.failed.set(code, (failed = requests.bind({ op: opName(op), result: errorCodeName(code) })));
  failed.add();
}

const TYPES: Record<number, string> = { [MessageKind.TEXT]: 'text', [MessageKind.RAW]: 'raw', [MessageKind.IMAGE]: 'image', [MessageKind.FILE]: 'file' };

/** Cells indexed by the message's kind (MessageKind value); anything else counts as "other". */
export class ByMessageType {
  private readonly cells: CounterCell[] = [];
  private readonly other: CounterCell;

  constructor(name: string, description: string, kind: string) {
    const c = counter(name, description);
    for (const [k, type] of Object.entries(TYPES)) this.cells[Number(k)] = c.bind({ kind, type });
    this.other = c.bind({ kind, type: 'other' });
  }

  add(messageKind: unknown, n = 1): void {
    (typeof messageKind === 'number' ? (this.cells[messageKind] ?? this.other) : this.other).add(n);
  }
}

const IN = 'parley.gateway.messages_in';
const IN_HELP = 'Messages accepted from clients, by kind (peer, channel) and message type';
const OUT = 'parley.gateway.messages_out';
const OUT_HELP = 'Messages pushed to clients, by kind (peer, offline = stored peer messages at login, channel) and message type';
export const messagesIn = { peer: new ByMessageType(IN, IN_HELP, 'peer'), channel: new ByMessageType(IN, IN_HELP, 'channel') };
export const messagesOut = {
  peer: new ByMessageType(OUT, OUT_HELP, 'peer'),
  offline: new ByMessageType(OUT, OUT_HELP, 'offline'),
  channel: new ByMessageType(OUT, OUT_HELP, 'channel'),
};

const peerDelivery = histogram(
  'parley.gateway.peer_delivery_seconds',
  "Peer messages from the sender's request to its result (the receiver's ACK, unreachable, or stored offline), by result",
  's',
  LATENCY_SECONDS_BUCKETS,
);
const deliveryCells: Record<number, HistogramCell> = {
  [PeerDelivery.RECEIVED]: peerDelivery.bind({ result: 'received' }),
  [PeerDelivery.PEER_UNREACHABLE]: peerDelivery.bind({ result: 'unreachable' }),
  [PeerDelivery.CACHED_BY_SERVER]: peerDelivery.bind({ result: 'cached' }),
};
const deliveryFailed = peerDelivery.bind({ result: 'failed' });

/** A peer message sent at `startedAt` (performance.now()) ended with `delivery` (undefined: it failed). */
export function observePeerDelivery(startedAt: number, delivery: PeerDelivery | undefined): void {
  const cell = delivery === undefined ? deliveryFailed : (deliveryCells[delivery] ?? deliveryFailed);
  cell.record((performance.now() - startedAt) / 1000);
}

const mediaBytes = counter('parley.gateway.media_bytes', 'File and image bytes passed between clients and the media service, by direction', 'By');
export const mediaUploaded = mediaBytes.bind({ direction: 'upload' });
export const mediaDownloaded = mediaBytes.bind({ direction: 'download' });
