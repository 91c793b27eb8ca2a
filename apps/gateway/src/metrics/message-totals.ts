/** Peer and channel messages counted since this process started. */
export interface MessageCounts {
  peer: number;
  channel: number;
}

/**
 * Messages accepted from this gateway's clients since it started, in all and per app: what the
 * admin API's live counts read (GatewayStatsResponder). Not a metric: metric labels never carry an
 * app id. One Map lookup and two increments per message; one entry per app that sent.
 */
export class MessageTotals {
  private readonly all: MessageCounts = { peer: 0, channel: 0 };
  private readonly byApp = new Map<string, MessageCounts>();

  peer(appId: string): void {
    this.all.peer++;
    this.app(appId).peer++;
  }

  channel(appId: string): void {
    this.all.channel++;
    this.app(appId).channel++;
  }

  /** A copy of the totals of one app, or of all apps. */
  of(appId?: string): MessageCounts {
    const counts = appId === undefined ? this.all : this.byApp.get(appId);
    return { peer: counts?.peer ?? 0, channel: counts?.channel ?? 0 };
  }

  private app(appId: string): MessageCounts {
    let counts = this.byApp.get(appId);
    if (!counts) this.byApp.set(appId, (counts = { peer: 0, channel: 0 }));
    return counts;
  }
}

export const messageTotals = new MessageTotals();
