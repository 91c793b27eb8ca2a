import { createHash } from 'node:crypto';
import { MessageKind, type WireMessage } from '@parley/contracts';
import {
  OPT_IN_WEBHOOK_EVENTS,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_PRODUCT_ID,
  type CapturedMessage,
  type InviteEndedDetail,
  type LogoutDetail,
  type MediaUploadedDetail,
  type MembershipDetail,
  type MetadataChangedDetail,
  type WebhookBody,
  type WebhookEventName,
} from '@parley/contracts/internal';

/** An event of the record as the fan-out reads it; `ts` Unix ms; `detail` as written (EventDetail in contracts). */
export interface RecordedEvent {
  seq: string;
  appId: string;
  kind: string;
  type: string;
  uid: string;
  channelId: string | null;
  ts: number;
  detail?: unknown;
  /** The traceparent of the action that caused it. */
  traceParent?: string | null;
}

/** An enabled endpoint of the event's app. */
export interface EndpointTarget {
  id: string;
  appId: string;
  /** Names subscribed to; empty = every type except the opt-in ones. */
  eventTypes: readonly string[];
  /** Message events carry the message itself only for endpoints that ask. */
  includePayload?: boolean;
  /** Events that happened before the endpoint existed are not sent to it. */
  createdAtMs: number;
}

/** One webhook event, before it is addressed to endpoints. */
export interface Notice {
  name: WebhookEventName;
  /** The source's id of the event (the record's seq; a message's stream sequence). */
  sid: string;
  appId: string;
  /** Deliveries with one key go out one at a time, in order: `user:<uid>` or `channel:<id>`. */
  orderingKey: string;
  ts: number;
  payload: Record<string, unknown>;
  /** Message events: the message, added to the payload for endpoints with includePayload. */
  content?: Record<string, unknown>;
  /**
   * Message events: a key the notice id is derived from (with the endpoint), so a batch fanned out
   * twice after a crash inserts nothing twice. Record events take random ids (their fan-out commits
   * with its cursor, never twice).
   */
  dedupeKey?: string;
  /** The traceparent of the action that caused it (attempt spans link to it). */
  traceParent?: string | null;
}

/** One outbox row to insert. */
export interface OutboxRow {
  noticeId: string;
  endpointId: string;
  appId: string;
  eventType: WebhookEventName;
  orderingKey: string;
  body: string;
  traceParent: string | null;
}

/** Whether an endpoint takes an event type: named, or (empty list) any type that is not opt-in. */
export function endpointWants(endpoint: Pick<EndpointTarget, 'eventTypes'>, name: WebhookEventName): boolean {
  return endpoint.eventTypes.length ? endpoint.eventTypes.includes(name) : !OPT_IN_WEBHOOK_EVENTS.includes(name);
}

const userKey = (uid: string) => `user:${uid}`;
const channelKey = (ch: string | null) => `channel:${ch ?? ''}`;

function detailOf<T>(event: RecordedEvent): Partial<T> {
  return event.detail && typeof event.detail === 'object' ? (event.detail as Partial<T>) : {};
}

/**
 * The webhook events one recorded event makes (none for one webhooks do not report). A Join that made
 * the channel's first member is also `channel.occupied`; a Leave of its last, `channel.vacated`.
 * Agora's notifications name a user `userId` and a channel `channelName`; `ts` is Unix ms.
 */
export function noticesOf(event: RecordedEvent): Notice[] {
  const base = { sid: event.seq, appId: event.appId, ts: event.ts, traceParent: event.traceParent ?? null };
  const notice = (name: WebhookEventName, orderingKey: string, payload: Record<string, unknown>): Notice => ({ ...base, name, orderingKey, payload });
  if (event.kind === 'user') {
    if (event.type === 'Login') return [notice('user.online', userKey(event.uid), { userId: event.uid, ts: event.ts })];
    if (event.type === 'Logout') {
      const { reason } = detailOf<LogoutDetail>(event);
      return [notice('user.offline', userKey(event.uid), { userId: event.uid, ts: event.ts, ...(reason ? { reason } : {}) })];
    }
    return [];
  }
  if (event.kind === 'channel') {
    const { count } = detailOf<MembershipDetail>(event);
    const key = channelKey(event.channelId);
    const member = { channelName: event.channelId, userId: event.uid, ts: event.ts, ...(typeof count === 'number' ? { memberCount: count } : {}) };
    const edge = { channelName: event.channelId, userId: event.uid, ts: event.ts };
    if (event.type === 'Join')
      return count === 1 ? [notice('channel.occupied', key, edge), notice('channel.join', key, member)] : [notice('channel.join', key, member)];
    if (event.type === 'Leave')
      return count === 0 ? [notice('channel.leave', key, member), notice('channel.vacated', key, edge)] : [notice('channel.leave', key, member)];
    return [];
  }
  if (event.kind === 'invite' && event.type === 'Ended') {
    const d = detailOf<InviteEndedDetail>(event);
    return [
      notice('invitation.ended', userKey(event.uid), {
        invitationId: d.id,
        callerUserId: event.uid,
        calleeUserId: d.callee,
        channelName: event.channelId ?? '',
        outcome: d.outcome,
        ...(d.reason ? { reason: d.reason } : {}),
        ts: event.ts,
      }),
    ];
  }
  if (event.kind === 'media' && event.type === 'Uploaded') {
    const d = detailOf<MediaUploadedDetail>(event);
    return [
      notice('media.uploaded', userKey(event.uid), {
        mediaId: d.id,
        userId: event.uid,
        size: d.size,
        type: d.type,
        fileName: d.name,
        contentType: d.contentType,
        width: d.width,
        height: d.height,
        ts: event.ts,
      }),
    ];
  }
  if (event.kind === 'metadata') {
    const d = detailOf<MetadataChangedDetail>(event);
    const change = {
      operation: d.op,
      majorRevision: d.majorRevision,
      authorUserId: d.author,
      items: Array.isArray(d.items) ? d.items : [],
      deletedKeys: Array.isArray(d.deleted) ? d.deleted : [],
      ts: event.ts,
    };
    if (event.type === 'User') return [notice('metadata.user', userKey(event.uid), { userId: event.uid, ...change })];
    if (event.type === 'Channel') return [notice('metadata.channel', channelKey(event.channelId), { channelName: event.channelId, ...change })];
    return [];
  }
  return [];
}

const MESSAGE_TYPES: Record<number, string> = {
  [MessageKind.TEXT]: 'TEXT',
  [MessageKind.RAW]: 'RAW',
  [MessageKind.IMAGE]: 'IMAGE',
  [MessageKind.FILE]: 'FILE',
};

/** The message itself as an endpoint with includePayload gets it (raw bytes in base64; a file's metadata, not its bytes). */
function contentOf(m: WireMessage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.text !== undefined) out.text = m.text;
  if (m.raw !== undefined) out.rawMessage = Buffer.from(m.raw).toString('base64');
  if (m.desc !== undefined) out.description = m.desc;
  if (m.media) {
    const { id, size, name, w, h } = m.media;
    out.media = { mediaId: id, size, fileName: name, ...(w !== undefined ? { width: w, height: h } : {}) };
  }
  return out;
}

/** The webhook event of a captured message; `sid` is its sequence in the messages stream. */
export function noticeOfMessage(message: CapturedMessage, sid: string): Notice {
  const common = { messageId: message.id, fromUserId: message.from, messageType: MESSAGE_TYPES[message.m.k] ?? 'UNKNOWN', ts: message.ts };
  const dedupeKey = [message.k, message.appId, message.from, message.to ?? message.ch ?? '', message.id, message.ts].join('\u0000');
  if (message.k === 'peer') {
    return {
      name: 'message.peer',
      sid,
      appId: message.appId,
      orderingKey: userKey(message.from),
      ts: message.ts,
      payload: { ...common, toUserId: message.to, delivery: message.d },
      content: contentOf(message.m),
      dedupeKey,
      traceParent: message.tp ?? null,
    };
  }
  return {
    name: 'message.channel',
    sid,
    appId: message.appId,
    orderingKey: channelKey(message.ch ?? null),
    ts: message.ts,
    payload: { ...common, channelName: message.ch },
    content: contentOf(message.m),
    dedupeKey,
    traceParent: message.tp ?? null,
  };
}

/** A UUID (v5 layout) from a message's dedupe key and the endpoint: the same on every fan-out of it. */
export function derivedNoticeId(dedupeKey: string, endpointId: string): string {
  const h = createHash('sha1').update(endpointId).update('\u0000').update(dedupeKey).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The exact JSON body of one notification. `notifyMs` is fixed when the row is queued (Agora's is
 * the sending time): the body, and so its signature, are the same on every attempt.
 */
export function webhookBody(notice: Notice, noticeId: string, notifyMs: number, includePayload = false): string {
  const body: WebhookBody = {
    noticeId,
    productId: WEBHOOK_PRODUCT_ID,
    eventType: WEBHOOK_EVENT_TYPES[notice.name],
    notifyMs,
    sid: notice.sid,
    payload: includePayload && notice.content ? { ...notice.payload, ...notice.content } : notice.payload,
    event: notice.name,
  };
  return JSON.stringify(body);
}

/**
 * The outbox rows for a batch of notices: one per (notice, enabled endpoint of its app that wants it
 * and existed when it happened), in the order of `notices` (the caller passes them in source order).
 */
export function outboxRows(notices: readonly Notice[], endpoints: readonly EndpointTarget[], notifyMs: number, newId: () => string): OutboxRow[] {
  const byApp = new Map<string, EndpointTarget[]>();
  for (const e of endpoints) byApp.set(e.appId, [...(byApp.get(e.appId) ?? []), e]);
  const rows: OutboxRow[] = [];
  for (const notice of notices) {
    for (const endpoint of byApp.get(notice.appId) ?? []) {
      if (notice.ts < endpoint.createdAtMs || !endpointWants(endpoint, notice.name)) continue;
      const noticeId = notice.dedupeKey === undefined ? newId() : derivedNoticeId(notice.dedupeKey, endpoint.id);
      rows.push({
        noticeId,
        endpointId: endpoint.id,
        appId: notice.appId,
        eventType: notice.name,
        orderingKey: notice.orderingKey,
        body: webhookBody(notice, noticeId, notifyMs, endpoint.includePayload === true),
        traceParent: notice.traceParent ?? null,
      });
    }
  }
  return rows;
}
