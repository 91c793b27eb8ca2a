import { OPT_IN_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES, WEBHOOK_PRODUCT_ID, type WebhookBody, type WebhookEventName } from '@parley/contracts/internal';

/** An event of the record as the fan-out reads it; `ts` Unix ms. */
export interface RecordedEvent {
  seq: string;
  appId: string;
  kind: 'user' | 'channel';
  type: string;
  uid: string;
  channelId: string | null;
  ts: number;
}

/** An enabled endpoint of the event's app. */
export interface EndpointTarget {
  id: string;
  appId: string;
  /** Names subscribed to; empty = every type except the opt-in ones. */
  eventTypes: readonly string[];
  /** Events that happened before the endpoint existed are not sent to it. */
  createdAtMs: number;
}

/** One outbox row to insert. */
export interface OutboxRow {
  noticeId: string;
  endpointId: string;
  appId: string;
  eventType: WebhookEventName;
  orderingKey: string;
  body: string;
}

/** The webhook event a recorded event is, or undefined for one webhooks do not report. */
export function webhookEventName(event: Pick<RecordedEvent, 'kind' | 'type'>): WebhookEventName | undefined {
  if (event.kind === 'user') return event.type === 'Login' ? 'user.online' : event.type === 'Logout' ? 'user.offline' : undefined;
  if (event.kind === 'channel') return event.type === 'Join' ? 'channel.join' : event.type === 'Leave' ? 'channel.leave' : undefined;
  return undefined;
}

/** Whether an endpoint takes an event type: named, or (empty list) any type that is not opt-in. */
export function endpointWants(endpoint: Pick<EndpointTarget, 'eventTypes'>, name: WebhookEventName): boolean {
  return endpoint.eventTypes.length ? endpoint.eventTypes.includes(name) : !OPT_IN_WEBHOOK_EVENTS.includes(name);
}

/** Deliveries of one ordering key go out one at a time, in the order of the record: a user's or a channel's. */
export function orderingKey(event: Pick<RecordedEvent, 'kind' | 'uid' | 'channelId'>): string {
  return event.kind === 'channel' ? `channel:${event.channelId ?? ''}` : `user:${event.uid}`;
}

function payloadOf(name: WebhookEventName, event: RecordedEvent): Record<string, unknown> {
  // Agora's notifications name a user `userId` and a channel `channelName`; `ts` is Unix ms.
  if (name === 'channel.join' || name === 'channel.leave') return { channelName: event.channelId, userId: event.uid, ts: event.ts };
  return { userId: event.uid, ts: event.ts };
}

/**
 * The exact JSON body of one notification. `notifyMs` is fixed when the row is queued (Agora's is
 * the sending time): the body, and so its signature, are the same on every attempt.
 */
export function webhookBody(name: WebhookEventName, event: RecordedEvent, noticeId: string, notifyMs: number): string {
  const body: WebhookBody = {
    noticeId,
    productId: WEBHOOK_PRODUCT_ID,
    eventType: WEBHOOK_EVENT_TYPES[name],
    notifyMs,
    sid: event.seq,
    payload: payloadOf(name, event),
    event: name,
  };
  return JSON.stringify(body);
}

/**
 * The outbox rows for a batch of events: one per (event, enabled endpoint of its app that wants it
 * and existed when it happened), in the order of `events` (the caller passes them in `seq` order).
 */
export function outboxRows(events: readonly RecordedEvent[], endpoints: readonly EndpointTarget[], notifyMs: number, newId: () => string): OutboxRow[] {
  const byApp = new Map<string, EndpointTarget[]>();
  for (const e of endpoints) byApp.set(e.appId, [...(byApp.get(e.appId) ?? []), e]);
  const rows: OutboxRow[] = [];
  for (const event of events) {
    const name = webhookEventName(event);
    if (!name) continue;
    for (const endpoint of byApp.get(event.appId) ?? []) {
      if (event.ts < endpoint.createdAtMs || !endpointWants(endpoint, name)) continue;
      const noticeId = newId();
      rows.push({
        noticeId,
        endpointId: endpoint.id,
        appId: event.appId,
        eventType: name,
        orderingKey: orderingKey(event),
        body: webhookBody(name, event, noticeId, notifyMs),
      });
    }
  }
  return rows;
}
