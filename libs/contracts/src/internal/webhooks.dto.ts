import type { WireMessage } from '../messages';

/**
 * Webhook events (docs/architecture.md, "Webhooks"): the Parley name (`event` in the body, the names
 * endpoints subscribe to) and the number sent as Agora's `eventType`. The numbers are Parley's own
 * (Agora's RTM 1.x has no notification service to copy); they never change once released.
 */
export const WEBHOOK_EVENT_TYPES = {
  'user.online': 101,
  'user.offline': 102,
  'channel.join': 111,
  'channel.leave': 112,
  'channel.occupied': 113,
  'channel.vacated': 114,
  'message.peer': 121,
  'message.channel': 122,
  'invitation.ended': 131,
  'media.uploaded': 141,
  'metadata.user': 151,
  'metadata.channel': 152,
} as const;

export type WebhookEventName = keyof typeof WEBHOOK_EVENT_TYPES;

/** Every event name, in the order above (what an endpoint may subscribe to). */
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENT_TYPES) as [WebhookEventName, ...WebhookEventName[]];

/** Endpoints one app may have (each event is queued once per endpoint): the admin API and the CLI. */
export const WEBHOOKS_PER_APP_MAX = 100;

/** Sent only to endpoints that name them (an empty event list means every other type). */
export const OPT_IN_WEBHOOK_EVENTS: readonly WebhookEventName[] = ['message.peer', 'message.channel'];

/** Agora's `productId` field: constant for every Parley notification. */
export const WEBHOOK_PRODUCT_ID = 8;

/**
 * A message copied, once it was accepted, to the messages stream (Subjects.capturedMessages) for the
 * webhooks' message.peer / message.channel events; never on the message's critical path. Encoded
 * with the bus codec (msgpack: raw bytes stay bytes).
 */
export interface CapturedMessage {
  /** peer | channel */
  k: 'peer' | 'channel';
  appId: string;
  from: string;
  /** peer: the receiver. */
  to?: string;
  /** channel: the channel. */
  ch?: string;
  /** The sender's message id (as receivers see it). */
  id: string;
  /** serverReceivedTs, Unix ms. */
  ts: number;
  /** The message itself (WireMessage). */
  m: WireMessage;
  /** peer: 'received' (a client ACKed it) or 'cached' (stored offline for the receiver). */
  d?: 'received' | 'cached';
  /** The sender's traceparent when traces are exported (webhook attempts link to it). */
  tp?: string;
}

/** Event types whose capture the gateway and the server API turn on for an app (an enabled endpoint names one). */
export const MESSAGE_WEBHOOK_EVENTS: readonly WebhookEventName[] = ['message.peer', 'message.channel'];

/**
 * How often a gateway or server API replica re-reads which apps have their messages captured or
 * store every message, whatever it heard: a change is announced at once (Subjects.captureSettingsChanged);
 * this is for an announcement lost (no webhooks replica running, a NATS outage).
 */
export const CAPTURE_SETTINGS_REFRESH_MS = 60_000;

/** The body POSTed to an endpoint (signed as sent: Agora-Signature / Agora-Signature-V2). */
export interface WebhookBody {
  /** Stable per event and endpoint: the same on every retry (receivers dedupe by it). */
  noticeId: string;
  productId: number;
  eventType: number;
  /** When the notification was queued (Unix ms), fixed so the body and its signature stay the same on retries. */
  notifyMs: number;
  /** The event's id in the event record: the same for one event at every endpoint. */
  sid: string;
  payload: Record<string, unknown>;
  event: WebhookEventName;
}
