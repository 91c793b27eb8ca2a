import { Evt, MessageKind, Op } from '@parley/contracts';
import { WireClient } from '@parley/testing';

interface Member {
  uid: string;
  client: WireClient;
  /** Peer message ids received, by sender. */
  peerIn: Set<string>;
  channelIn: Set<string>;
}

/**
 * Well-behaved users living through the attacks: a pair of clients on each gateway; every tick
 * each sends a peer message (alternately to its partner on the same gateway and to one on the
 * other) and a channel message to the four of them. At the end every message must have been
 * answered OK (peer: RECEIVED) and have arrived, once, at every receiver.
 */
export class Bystanders {
  private readonly members: Member[] = [];
  private timer?: NodeJS.Timeout;
  private tick = 0;
  private readonly pending = new Set<Promise<void>>();
  /** [sender, receiver, id] of every peer message sent. */
  readonly peerSent: Array<[string, string, string]> = [];
  readonly channelSent: Array<[string, string]> = [];
  readonly failures: string[] = [];

  constructor(
    private readonly channel: string,
    private readonly intervalMs = 100,
  ) {}

  async start(gatewayUrls: string[], appId: string): Promise<void> {
    const uids = ['bys-a0', 'bys-b0', 'bys-a1', 'bys-b1'];
    for (const [i, uid] of uids.entries()) {
      const client = await WireClient.login(gatewayUrls[i < 2 ? 0 : 1]!, appId, uid);
      const m: Member = { uid, client, peerIn: new Set(), channelIn: new Set() };
      client.onEvent = (evt, data) => {
        const d = data as { from: string; id: string; ch?: string };
        if (evt === Evt.PEER_MESSAGE) m.peerIn.add(`${d.from}/${d.id}`);
        if (evt === Evt.CHANNEL_MESSAGE && d.ch === this.channel) m.channelIn.add(`${d.from}/${d.id}`);
      };
      this.members.push(m);
    }
    for (const m of this.members) {
      const [code] = await m.client.request(Op.JOIN, { ch: this.channel });
      if (code !== 0) throw new Error(`bystander ${m.uid} could not join: ${code}`);
    }
    this.timer = setInterval(() => this.round(), this.intervalMs);
  }

  private round(): void {
    const n = this.tick++;
    this.members.forEach((m, i) => {
      // partner on the same gateway (0↔1, 2↔3) on even ticks, across (0↔2, 1↔3) on odd ones
      const to = this.members[n % 2 === 0 ? i ^ 1 : i ^ 2]!;
      const pid = `${m.uid}-p${n}`;
      this.peerSent.push([m.uid, to.uid, pid]);
      this.track(
        m.client.request(Op.SEND_PEER, { to: to.uid, id: pid, m: { k: MessageKind.TEXT, text: `peer ${n}` } }).then(([code, res]) => {
          if (code !== 0 || (res as { d?: number })?.d !== 0) this.failures.push(`peer ${m.uid}→${to.uid} ${pid}: code ${code} ${JSON.stringify(res)}`);
        }),
        `peer ${pid}`,
      );
      const cid = `${m.uid}-c${n}`;
      this.channelSent.push([m.uid, cid]);
      this.track(
        m.client.request(Op.SEND_CHANNEL, { ch: this.channel, id: cid, m: { k: MessageKind.TEXT, text: `chan ${n}` } }).then(([code, res]) => {
          if (code !== 0) this.failures.push(`channel ${cid}: code ${code} ${JSON.stringify(res)}`);
        }),
        `channel ${cid}`,
      );
    });
  }

  private track(p: Promise<void>, what: string): void {
    const q = p.catch((err: Error) => void this.failures.push(`${what}: ${err.message}`)).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  get sentCount(): number {
    return this.peerSent.length + this.channelSent.length;
  }

  /** Stops sending, waits for the answers, and lists what did not arrive. */
  async stop(): Promise<string[]> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
    // Give the last deliveries (answered already: peer messages; channel fan-out may trail) a moment.
    const missing = () => {
      const out: string[] = [];
      for (const [from, to, id] of this.peerSent) {
        if (!this.members.find((m) => m.uid === to)!.peerIn.has(`${from}/${id}`)) out.push(`peer ${from}→${to} ${id} not received`);
      }
      for (const [from, id] of this.channelSent) {
        for (const m of this.members) if (m.uid !== from && !m.channelIn.has(`${from}/${id}`)) out.push(`channel ${from} ${id} not received by ${m.uid}`);
      }
      return out;
    };
    const deadline = Date.now() + 5_000;
    while (missing().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const m of this.members) {
      if (m.client.closed) this.failures.push(`bystander ${m.uid}'s socket closed: ${JSON.stringify(m.client.closed)}`);
    }
    return [...this.failures, ...missing()];
  }

  close(): void {
    clearInterval(this.timer);
    for (const m of this.members) m.client.close();
  }
}
