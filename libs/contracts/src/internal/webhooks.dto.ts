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
} as const;

export type WebhookEventName = keyof typeof WEBHOOK_EVENT_TYPES;

/** Sent only to endpoints that name them (an empty event list means every other type). */
export const OPT_IN_WEBHOOK_EVENTS: readonly WebhookEventName[] = ['message.peer', 'message.channel'];

/** Agora's `productId` field: constant for every Parley notification. */
export const WEBHOOK_PRODUCT_ID = 8;

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
