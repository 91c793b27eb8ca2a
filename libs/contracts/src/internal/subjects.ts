import type { AppId, ChannelId, Uid } from '../ids';
import { subjectToken } from '../ids';

/**
 * Every NATS subject Parley uses, derived from one prefix. The prefix lets several deployments (or
 * test runs) share one NATS server without seeing each other. It comes from the app's validated
 * config (PARLEY_SUBJECT_PREFIX): bootstrap calls `configureSubjects` before anything subscribes or
 * publishes; nothing here reads the environment. Nest's @MessagePattern names a service subject
 * without the prefix (`Patterns`, fixed at decoration time); the NATS server strategy adds it.
 */
export const DEFAULT_SUBJECT_PREFIX = 'parley';

export const SERVICES = ['presence', 'channel', 'attributes', 'invitation', 'media', 'history'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The recovery stream of a deployment with this subject prefix (also used to remove a test run's). */
export function recoveryStreamName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_channel_recent`;
}

/** The stream of captured messages (webhooks' message events) of a deployment with this subject prefix. */
export function capturedMessagesStreamName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_messages`;
}

/** Service request/reply subjects without the prefix: what a controller's @MessagePattern names. */
export const Patterns = {
  presence: {
    register: 'svc.presence.register',
    unregister: 'svc.presence.unregister',
    setState: 'svc.presence.state',
    /**
     * A gateway's batch of state changes (SetSessionStatesRequest). A subject of its own: while
     * presence rolls out, a replica that does not know batches does not subscribe it, and the gateway
     * sends the changes one by one on setState instead (no responders).
     */
    setStates: 'svc.presence.states',
    query: 'svc.presence.query',
    gatewayHeartbeat: 'svc.presence.gateway-heartbeat',
    /** Current state and seq of uids (StatusSnapshotRequest → StatusSnapshotReply). */
    statuses: 'svc.presence.statuses',
    /** Event: sessions presence removed as OFFLINE ({sessions: [{appId, uid}]}); the channel service ends their memberships. */
    wentOffline: 'svc.presence.went-offline',
    /** Take from the app's user-event queue (EventsTakeRequest → UserEventsTakeReply). */
    userEventsTake: 'svc.presence.user-events.take',
    /** End every session of a uid, optionally banning its logins for a while (KickUserRequest → KickUserReply; the server API). */
    kick: 'svc.presence.kick',
    /** A uid's login ban (UserBanRequest → UserBanReply). */
    ban: 'svc.presence.ban',
    /** Lift a uid's login ban early (UserBanRequest → BanLiftReply). */
    liftBan: 'svc.presence.ban-lift',
    /** Sessions in the registry and live gateways, all apps or one (StatsRequest → PresenceStatsReply; the admin API). */
    stats: 'svc.presence.stats',
    /** A uid's state and registered session (UserSessionsRequest → UserSessionsReply; the admin API). */
    userSessions: 'svc.presence.user-sessions',
  },
  /** Channel membership (channel service). */
  channel: {
    join: 'svc.channel.join',
    leave: 'svc.channel.leave',
    leaveSession: 'svc.channel.leave-session',
    members: 'svc.channel.members',
    counts: 'svc.channel.counts',
    /** Members in uid order, a page at a time (ChannelMembersPageRequest → ChannelMembersPage; the server API). */
    membersPage: 'svc.channel.members-page',
    /** The channels a uid is a member of (UserChannelsRequest → UserChannelsReply; the server API). */
    userChannels: 'svc.channel.user-channels',
    /** Take from the app's channel-event queue (EventsTakeRequest → ChannelEventsTakeReply). */
    eventsTake: 'svc.channel.events.take',
    /** Remove a uid from a channel and refuse its joins for a while (ChannelBanRequest → ChannelBanReply; the server API). */
    ban: 'svc.channel.ban',
    /** Lift a channel ban early (ChannelBanLiftRequest → BanLiftReply). */
    liftBan: 'svc.channel.ban-lift',
    /** A channel's active bans, a page at a time in uid order (ChannelBansRequest → ChannelBansPage). */
    bans: 'svc.channel.bans',
    /** Channels with members and memberships, all apps or one (StatsRequest → ChannelStatsReply; the admin API). */
    stats: 'svc.channel.stats',
  },
  /** User and channel attributes (attributes service). */
  attributes: {
    userWrite: 'svc.attributes.user-write',
    userGet: 'svc.attributes.user-get',
    userGone: 'svc.attributes.user-gone',
    channelWrite: 'svc.attributes.channel-write',
    channelGet: 'svc.attributes.channel-get',
  },
  /** Call invitations (invitation service). */
  invitation: {
    create: 'svc.invitation.create',
    cancel: 'svc.invitation.cancel',
    accept: 'svc.invitation.accept',
    refuse: 'svc.invitation.refuse',
    /** The callee's client acknowledged the invitation. */
    received: 'svc.invitation.received',
    /** The caller's client acknowledged the acceptance. */
    confirmAccept: 'svc.invitation.confirm-accept',
    sync: 'svc.invitation.sync',
    /**
     * A gateway's batch of syncs (InvitationSyncsRequest): the logins that resume in one event-loop
     * turn. A subject of its own: while the invitation service rolls out, a replica that does not
     * know batches does not subscribe it, and the gateway asks one by one on sync instead.
     */
    syncs: 'svc.invitation.syncs',
  },
  /** Files and images (media service); a replica's own upload subject is `Subjects.media.uploads(id)`. */
  media: {
    /** Queue group: a replica takes a new upload and answers its own upload subject. */
    begin: 'svc.media.begin',
    info: 'svc.media.info',
    read: 'svc.media.read',
  },
  /** The offline message store, served by the presence service. */
  offline: {
    store: 'svc.presence.offline.store',
    fetch: 'svc.presence.offline.fetch',
    remove: 'svc.presence.offline.remove',
  },
  /** Health ping answered by every service (terminus MicroserviceHealthIndicator and tests). */
  ping: (service: ServiceName): string => `svc.${service}.ping`,
} as const;

type Prefixed<T> = { readonly [K in keyof T]: string };

function buildSubjects(p: string) {
  const prefixed = <T extends Record<string, string>>(group: T): Prefixed<T> =>
    Object.fromEntries(Object.entries(group).map(([k, v]) => [k, `${p}.${v}`])) as Prefixed<T>;
  return {
    prefix: p,
    /** Everything addressed to one user (messages, kicks, invitations). */
    user: (appId: AppId, uid: Uid | string): string => `${p}.${appId}.user.${subjectToken(uid)}`,
    /** One gateway process's direct peer-message route (route batches, PeerRouteCode); the id is random per boot. */
    peerRoute: (routeId: string): string => `${p}.route.${routeId}.peer`,
    /** A channel's messages (captured by the recovery stream). */
    channelMessages: (appId: AppId, channelId: ChannelId | string): string => `${p}.${appId}.chan.${subjectToken(channelId)}.m`,
    /** A channel's member events and counts (not kept). */
    channelEvents: (appId: AppId, channelId: ChannelId | string): string => `${p}.${appId}.chan.${subjectToken(channelId)}.e`,
    /** Both of the above: what a gateway holding a member subscribes to. */
    channelAll: (appId: AppId, channelId: ChannelId | string): string => `${p}.${appId}.chan.${subjectToken(channelId)}.*`,
    /** One user's online-status changes (StatusChange), from presence; gateways subscribe while a session watches the uid. */
    status: (appId: AppId, uid: Uid | string): string => `${p}.${appId}.status.${subjectToken(uid)}`,
    /** Service request/reply subjects (Patterns with the prefix), queue group per service. */
    presence: prefixed(Patterns.presence),
    channel: prefixed(Patterns.channel),
    attributes: prefixed(Patterns.attributes),
    invitation: prefixed(Patterns.invitation),
    media: {
      ...prefixed(Patterns.media),
      /** One replica's uploads (raw NATS, not a queue group): MediaUploadMessage. */
      uploads: (replicaId: string): string => `${p}.svc.media.upload.${replicaId}`,
    },
    offline: prefixed(Patterns.offline),
    /** Every uid's status changes (the invitation service fails open invitations of a uid that went OFFLINE). */
    allStatus: `${p}.*.status.*`,
    /** Every channel's message subject (the recovery stream captures them). */
    allChannelMessages: `${p}.*.chan.*.m`,
    /** JetStream stream holding each channel's recent messages for recovery after a reconnect. */
    recoveryStream: recoveryStreamName(p),
    ping: (service: ServiceName): string => `${p}.${Patterns.ping(service)}`,
    /** Queue group name for a service's replicas. */
    queue: (service: ServiceName | 'gateway'): string => `${p}.${service}`,
    /** What each server API replica counted against the per-app rate limits (ApiUsage), heard by every replica. */
    apiUsage: `${p}.api.usage`,
    /**
     * Which apps capture messages (webhook endpoints) or store every message (apps.history_store_all)
     * changed: every gateway and server API replica re-reads both sets (RefreshedAppSet). Relayed by
     * the webhooks replicas from the database's notification (triggers of migration
     * 20261204160000_capture_settings_notify), so a change by the admin API, the CLI or by hand counts.
     */
    captureSettingsChanged: `${p}.capture.settings`,
    /**
     * Scatter-gather of the admin API's live counts: every gateway answers (no queue group) with its
     * sessions and message totals (GatewayStatsRequest → GatewayStatsReply, one reply per gateway).
     */
    gatewayStats: `${p}.gateway.stats`,
    /** One app's accepted messages copied for the webhooks (CapturedMessage), kept by the file-backed messages stream. */
    capturedMessages: (appId: AppId): string => `${p}.capture.msg.${appId}`,
    /** Every app's captured messages: the subjects of the messages stream. */
    allCapturedMessages: `${p}.capture.msg.*`,
    /** JetStream stream (file storage) of captured messages, read by the webhooks' durable consumer. */
    capturedMessagesStream: capturedMessagesStreamName(p),
    /** JetStream KV bucket of the server API's Idempotency-Keys. */
    apiIdempotencyBucket: `${p.replace(/[^A-Za-z0-9_-]/g, '_')}_api_idempotency`,
  } as const;
}

export type SubjectMap = ReturnType<typeof buildSubjects>;

let current: SubjectMap = buildSubjects(DEFAULT_SUBJECT_PREFIX);

/**
 * Sets the prefix every subject derives from (the validated PARLEY_SUBJECT_PREFIX). Called by
 * bootstrap before the app connects; tests that talk to a stack call it with the stack's prefix.
 */
export function configureSubjects(prefix: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`subject prefix "${prefix}": letters, digits, "-" and "_" only`);
  if (prefix !== current.prefix) current = buildSubjects(prefix);
}

/**
 * The subjects of the configured prefix. A live view: `Subjects.channel.join` reads the prefix
 * configured when it is called, so modules may import it before bootstrap configures it.
 */
export const Subjects: SubjectMap = new Proxy({} as SubjectMap, {
  get: (_target, key) => current[key as keyof SubjectMap],
});

/**
 * The operation a service subject names, without the prefix ("presence.register", "offline" ones as
 * "presence.offline.store"): a metric attribute, so never an id — every replica's upload subject is
 * "media.upload". Subjects that are not a service's: "other".
 */
export function serviceOperation(subject: string): string {
  const services = `${current.prefix}.svc.`;
  if (subject.startsWith(current.media.uploads(''))) return 'media.upload';
  return subject.startsWith(services) ? subject.slice(services.length) : 'other';
}

/** Kinds of message on a user subject; the first element of the MessagePack array body. */
export const UserMsgKind = {
  /** A newer login of the same uid: sessions with a lower epoch end. */
  KICK: 1,
  PEER_MESSAGE: 2,
  /** [INVITATION, InvitationSnapshot]: a change of an invitation the user is caller or callee of. */
  INVITATION: 3,
  /**
   * [OFFLINE_STORED]: a peer message for the user was just committed to the offline store. A
   * gateway holding a logged-in session of the user pushes what is stored (its login flush may
   * have run before the row existed).
   */
  OFFLINE_STORED: 4,
  /**
   * [BANNED, BannedMessage]: the server API kicked the user. Sessions registered before the kick
   * (epoch below the message's) end with DROP BANNED_BY_SERVER; a login still registering settles
   * when its epoch arrives.
   */
  BANNED: 5,
  /** [CHANNEL_BANNED, ChannelBannedMessage]: the user was removed from a channel and banned from it. */
  CHANNEL_BANNED: 6,
} as const;
export type UserMsgKind = (typeof UserMsgKind)[keyof typeof UserMsgKind];
