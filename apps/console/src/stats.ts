/** One gateway's running totals in a stats answer. */
export interface GatewayTotals {
  id: string;
  startedAt: string;
  sessions: number;
  connections?: number;
  messages: { peer: number; channel: number };
}

/** GET /v1/admin/stats. */
export interface Stats {
  at: string;
  appId: string | null;
  sessions: { online: number; unreachable: number };
  channels: number;
  members: number;
  gateways: GatewayTotals[];
  gatewaysKnown?: number;
  messages: { peer: number; channel: number };
}

export interface Rates {
  peer: number;
  channel: number;
}

/**
 * Messages per second between two polls, from the gateways' running totals (they only grow while a
 * gateway runs). A gateway that restarted (another startedAt, or a total that went down) counts its
 * totals since its start; one that did not answer the previous poll counts them only if it started
 * after it (else how many fell between the polls is unknown: 0); one that went away counts nothing.
 * Never a negative rate.
 */
export function messageRates(before: Stats | undefined, after: Stats): Rates {
  if (!before) return { peer: 0, channel: 0 };
  const seconds = (Date.parse(after.at) - Date.parse(before.at)) / 1000;
  if (!(seconds > 0)) return { peer: 0, channel: 0 };
  const old = new Map(before.gateways.map((g) => [g.id, g]));
  let peer = 0;
  let channel = 0;
  for (const g of after.gateways) {
    const prev = old.get(g.id);
    if (prev && prev.startedAt === g.startedAt && g.messages.peer >= prev.messages.peer && g.messages.channel >= prev.messages.channel) {
      peer += g.messages.peer - prev.messages.peer;
      channel += g.messages.channel - prev.messages.channel;
    } else if (prev || Date.parse(g.startedAt) >= Date.parse(before.at)) {
      peer += g.messages.peer;
      channel += g.messages.channel;
    }
  }
  return { peer: peer / seconds, channel: channel / seconds };
}
