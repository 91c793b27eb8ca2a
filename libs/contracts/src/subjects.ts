import type { AppId, ChannelId, Uid } from './ids';
import { subjectToken } from './ids';

/**
 * Every NATS subject Parley uses, derived from one prefix. The prefix lets several deployments (or
 * test runs) share one NATS server without seeing each other. It is read once, at load, from
 * PARLEY_SUBJECT_PREFIX (default "parley") because Nest's @MessagePattern needs it at decoration time.
 */
export const SUBJECT_PREFIX: string =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.['PARLEY_SUBJECT_PREFIX'] ||
  'parley';

export const SERVICES = ['presence', 'channel', 'attributes', 'invitation', 'media'] as const;
export type ServiceName = (typeof SERVICES)[number];

const p = SUBJECT_PREFIX;

/** The recovery stream of a deployment with this subject prefix (also used to remove a test run's). */
export function recoveryStreamName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}_channel_recent`;
}

/** Interest-based subjects: a gateway subscribes only while it holds such a session / member. */
export const Subjects = {
  /** Everything addressed to one user (messages, kicks, invitations). */
  user: (appId: AppId, uid: Uid | string): string => `${p}.${appId}.user.${subjectToken(uid)}`,
  /** A channel's messages (captured by the recovery stream). */
  channelMessages: (appId: AppId, channelId: ChannelId | string): string => `${p}.${appId}.chan.${subjectToken(channelId)}.m`,
  /** A channel's member events and counts (not kept). */
  channelEvents: (appId: AppId, channelId: ChannelId | string): string => `${p}.${appId}.chan.${subjectToken(channelId)}.e`,
  /** Both of the above: what a gateway holding a member subscribes to. */
  channelAll: (appId: AppId, channelId: ChannelId | string): string => `${p}.${appId}.chan.${subjectToken(channelId)}.*`,
  /** One user's online-status changes (StatusChange), from presence; gateways subscribe while a session watches the uid. */
  status: (appId: AppId, uid: Uid | string): string => `${p}.${appId}.status.${subjectToken(uid)}`,
  /** Service request/reply patterns (Nest @MessagePattern), queue group per service. */
  presence: {
    register: `${p}.svc.presence.register`,
    unregister: `${p}.svc.presence.unregister`,
    setState: `${p}.svc.presence.state`,
    query: `${p}.svc.presence.query`,
    gatewayHeartbeat: `${p}.svc.presence.gateway-heartbeat`,
    /** Current state and seq of uids (StatusSnapshotRequest → StatusSnapshotReply). */
    statuses: `${p}.svc.presence.statuses`,
    /** Event: sessions presence removed as OFFLINE ({sessions: [{appId, uid}]}); the channel service ends their memberships. */
    wentOffline: `${p}.svc.presence.went-offline`,
  },
  /** Channel membership (channel service). */
  channel: {
    join: `${p}.svc.channel.join`,
    leave: `${p}.svc.channel.leave`,
    leaveSession: `${p}.svc.channel.leave-session`,
    members: `${p}.svc.channel.members`,
    counts: `${p}.svc.channel.counts`,
  },
  /** User and channel attributes (attributes service). */
  attributes: {
    userWrite: `${p}.svc.attributes.user-write`,
    userGet: `${p}.svc.attributes.user-get`,
    userGone: `${p}.svc.attributes.user-gone`,
    channelWrite: `${p}.svc.attributes.channel-write`,
    channelGet: `${p}.svc.attributes.channel-get`,
  },
  /** Call invitations (invitation service). */
  invitation: {
    create: `${p}.svc.invitation.create`,
    cancel: `${p}.svc.invitation.cancel`,
    accept: `${p}.svc.invitation.accept`,
    refuse: `${p}.svc.invitation.refuse`,
    /** The callee's client acknowledged the invitation. */
    received: `${p}.svc.invitation.received`,
    /** The caller's client acknowledged the acceptance. */
    confirmAccept: `${p}.svc.invitation.confirm-accept`,
    sync: `${p}.svc.invitation.sync`,
  },
  /** Files and images (media service). */
  media: {
    /** Queue group: a replica takes a new upload and answers its own upload subject. */
    begin: `${p}.svc.media.begin`,
    /** One replica's uploads (raw NATS, not a queue group): MediaUploadMessage. */
    uploads: (replicaId: string): string => `${p}.svc.media.upload.${replicaId}`,
    info: `${p}.svc.media.info`,
    read: `${p}.svc.media.read`,
  },
  /** Every uid's status changes (the invitation service fails open invitations of a uid that went OFFLINE). */
  allStatus: `${p}.*.status.*`,
  /** Every channel's message subject (the recovery stream captures them). */
  allChannelMessages: `${p}.*.chan.*.m`,
  /** JetStream stream holding each channel's recent messages for recovery after a reconnect. */
  recoveryStream: recoveryStreamName(p),
  /** The offline message store, served by the presence service. */
  offline: {
    store: `${p}.svc.presence.offline.store`,
    fetch: `${p}.svc.presence.offline.fetch`,
    remove: `${p}.svc.presence.offline.remove`,
  },
  /** Health ping answered by every service (terminus MicroserviceHealthIndicator and tests). */
  ping: (service: ServiceName): string => `${p}.svc.${service}.ping`,
  /** Queue group name for a service's replicas. */
  queue: (service: ServiceName | 'gateway'): string => `${p}.${service}`,
} as const;

const SERVICE_SUBJECTS = `${p}.svc.`;
const UPLOAD_SUBJECTS = Subjects.media.uploads('');

/**
 * The operation a service subject names, without the prefix ("presence.register", "offline" ones as
 * "presence.offline.store"): a metric attribute, so never an id — every replica's upload subject is
 * "media.upload". Subjects that are not a service's: "other".
 */
export function serviceOperation(subject: string): string {
  if (subject.startsWith(UPLOAD_SUBJECTS)) return 'media.upload';
  return subject.startsWith(SERVICE_SUBJECTS) ? subject.slice(SERVICE_SUBJECTS.length) : 'other';
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
} as const;
export type UserMsgKind = (typeof UserMsgKind)[keyof typeof UserMsgKind];
