import { randomBytes } from 'node:crypto';
import { MessageKind, Op, PeerDelivery, Evt, type SendPeerResult } from '@parley/contracts';
import AgoraRTM, { type RtmClient } from '@parley/sdk';
import WebSocket from 'ws';
import { LeanClient } from './lean-client';

AgoraRTM.setWebSocketImplementation(WebSocket);
// The bench measures the server, not agora-rtm's per-client message budget (180 per 3 s).
AgoraRTM.setParameter('PARLEY_TIMERS', { messagesPerWindow: 1_000_000 });

export type Delivery = 'RECEIVED' | 'PEER_UNREACHABLE' | 'CACHED_BY_SERVER';

/** What a bench needs from a client: the SDK (what apps run) or the bare protocol (a lean load generator). */
export interface BenchClient {
  /** `history`: enableHistoricalMessaging (kept in the message history). */
  send(peer: string, text: string, offline: boolean, history?: boolean): Promise<Delivery>;
  logout(): Promise<void>;
}

export type ClientKind = 'sdk' | 'wire';

class SdkBenchClient implements BenchClient {
  constructor(private readonly client: RtmClient) {}
  async send(peer: string, text: string, offline: boolean, history = false): Promise<Delivery> {
    const r = await this.client.sendMessageToPeer({ text }, peer, { enableOfflineMessaging: offline, ...(history ? { enableHistoricalMessaging: true } : {}) });
    return r.deliveryState ?? (r.hasPeerReceived ? 'RECEIVED' : 'PEER_UNREACHABLE');
  }
  async logout(): Promise<void> {
    await this.client.logout().catch(() => undefined);
  }
}

const DELIVERY: Record<number, Delivery> = {
  [PeerDelivery.RECEIVED]: 'RECEIVED',
  [PeerDelivery.PEER_UNREACHABLE]: 'PEER_UNREACHABLE',
  [PeerDelivery.CACHED_BY_SERVER]: 'CACHED_BY_SERVER',
};

class WireBenchClient implements BenchClient {
  private seq = 0;
  constructor(
    private readonly wire: LeanClient,
    private readonly idPrefix: string,
  ) {}
  async send(peer: string, text: string, offline: boolean, history = false): Promise<Delivery> {
    const args = { to: peer, id: `${this.idPrefix}${++this.seq}`, m: { k: MessageKind.TEXT, text }, offline, ...(history ? { hist: true } : {}) };
    const [code, data] = await this.wire.request(Op.SEND_PEER, args);
    if (code !== 0) throw new Error(`send failed with code ${code}`);
    return DELIVERY[(data as SendPeerResult).d]!;
  }
  async logout(): Promise<void> {
    await this.wire.request(Op.LOGOUT, null).catch(() => undefined);
    this.wire.close();
  }
}

/** Listeners are attached before login: offline messages are pushed right after it. */
async function loginOne(kind: ClientKind, appId: string, uid: string, url: string, onPeerMessage?: () => void): Promise<BenchClient> {
  if (kind === 'sdk') {
    const client = AgoraRTM.createInstance(appId, { serverUrl: url, logFilter: AgoraRTM.LOG_FILTER_OFF });
    if (onPeerMessage) client.on('MessageFromPeer', onPeerMessage);
    await client.login({ uid });
    return new SdkBenchClient(client);
  }
  const instanceId = randomBytes(6).toString('hex');
  const wire = await loginLean(url, appId, uid, { instanceId, onEvent: onPeerMessage && ((evt) => evt === Evt.PEER_MESSAGE && onPeerMessage()) });
  return new WireBenchClient(wire, `${instanceId}-`);
}

/** Opens a lean client and logs `uid` in (listener attached first); fails unless the LOGIN succeeds. */
export async function loginLean(
  url: string,
  appId: string,
  uid: string,
  o: { instanceId?: string; reconnect?: boolean; onEvent?: (evt: number, data: unknown) => void; onOpen?: () => void } = {},
): Promise<LeanClient> {
  const wire = await LeanClient.open(url);
  o.onOpen?.();
  wire.onEvent = o.onEvent;
  const instanceId = o.instanceId ?? randomBytes(6).toString('hex');
  const [code, data] = await wire
    .request(Op.LOGIN, o.reconnect ? { appId, uid, instanceId, reconnect: true } : { appId, uid, instanceId })
    .catch((err: Error) => {
      wire.close();
      throw err;
    });
  if (code !== 0) {
    wire.close();
    throw new Error(`login of ${uid} failed with code ${code}: ${JSON.stringify(data)}`);
  }
  return wire;
}

/** Logs in one client per uid, `parallel` at a time. */
export async function loginMany(
  kind: ClientKind,
  appId: string,
  uids: string[],
  urlOf: (i: number) => string,
  opts: { parallel?: number; onPeerMessage?: () => void } = {},
): Promise<BenchClient[]> {
  const clients: BenchClient[] = new Array(uids.length);
  let next = 0;
  const worker = async () => {
    while (next < uids.length) {
      const i = next++;
      clients[i] = await loginOne(kind, appId, uids[i]!, urlOf(i), opts.onPeerMessage);
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 50 }, worker));
  return clients;
}

export async function logoutMany(clients: BenchClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.logout()));
}
