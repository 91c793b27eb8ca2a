/**
 * Which service owns which table (docs/architecture.md, "Who owns which table"). A service writes and
 * reads only its own tables; another service reads one only through a view its owner declares.
 * data-ownership.spec.ts fails when a service's SQL or Prisma calls touch anything else.
 */
export const TABLE_OWNERS: Readonly<Record<string, string>> = {
  // apps (ids, certificates) and customer credentials: written by the api's admin API (and by the
  // CLI, an operator tool), read by the api's auth; the gateway reads apps (DIRECT_READERS).
  apps: 'api',
  customer_credentials: 'api',
  gateways: 'presence',
  sessions: 'presence',
  offline_messages: 'presence',
  channels: 'channel',
  channel_members: 'channel',
  user_attribute_sets: 'attributes',
  user_attributes: 'attributes',
  channel_attribute_sets: 'attributes',
  channel_attributes: 'attributes',
  // User and channel metadata (agora-rtm 1.6.0): its own tables, not the 1.x attribute tables.
  metadata_sets: 'attributes',
  metadata_items: 'attributes',
  invitations: 'invitation',
  user_bans: 'presence',
  // Webhooks: endpoints are managed by the admin API; the outbox belongs to the dispatcher.
  webhook_endpoints: 'api',
  webhook_deliveries: 'webhooks',
  // The fan-out's one cursor in the event record (moved with the outbox rows it inserts).
  webhook_cursors: 'webhooks',
  channel_bans: 'channel',
  media: 'media',
  // Message history: the stored messages (day partitions), usage per hour and the size-cap cutoffs.
  history_messages: 'history',
  history_usage: 'history',
  history_cutoffs: 'history',
};

/**
 * Tables whose rows are owned by the value of one column: each owner writes, reads and deletes only
 * the rows of its own values (its SQL names them as literals, e.g. `kind = 'user'`; the spec checks
 * it). The event record is one table so that its consumers (the pull queues, the webhooks) read
 * one stream with one kind of cursor, while each event is still written by the service whose state
 * change it records, in the same statement (docs/architecture.md, "Event record").
 */
export const ROW_OWNED_TABLES: Readonly<Record<string, { column: string; owners: Readonly<Record<string, string>> }>> = {
  app_events: { column: 'kind', owners: { user: 'presence', channel: 'channel', invite: 'invitation', media: 'media', metadata: 'attributes' } },
  event_cursors: { column: 'kind', owners: { user: 'presence', channel: 'channel' } },
};

/** Read-only views an owner declares for other services: view → its owner and who may read it. */
export const DECLARED_VIEWS: Readonly<Record<string, { owner: string; readers: readonly string[] }>> = {
  session_registry: { owner: 'presence', readers: ['channel', 'attributes'] },
};

/**
 * Tables another service reads directly, never writes (the spec checks that it only reads). `apps`
 * is read by every login (certificates); its columns are as stable as a view's would be.
 */
export const DIRECT_READERS: Readonly<Record<string, readonly string[]>> = {
  // The history service reads the apps' history settings (store all, retention, size cap); the
  // gateway (and the api) which apps store every message.
  apps: ['gateway', 'history'],
  // The webhooks fan-out reads every kind of the event record (a consumer, like the pull queues) and
  // the endpoints it delivers to; it writes neither.
  app_events: ['webhooks'],
  // The gateway (and the api, its owner) read which apps have message endpoints: libs/delivery's
  // MessageCapture copies only those apps' messages to the messages stream.
  webhook_endpoints: ['webhooks', 'gateway'],
};

/**
 * Every table keyed by app_id (the spec compares this with schema.prisma): deleting an app deletes its
 * rows of each, in one transaction, wherever apps are deleted (the spec checks those statements).
 */
export const APP_DATA_TABLES: readonly string[] = [
  'sessions',
  'offline_messages',
  'channels',
  'channel_members',
  'user_attribute_sets',
  'user_attributes',
  'channel_attribute_sets',
  'channel_attributes',
  'metadata_sets',
  'metadata_items',
  'invitations',
  'user_bans',
  'webhook_endpoints',
  'webhook_deliveries',
  'channel_bans',
  'media',
  'app_events',
  'event_cursors',
  'history_messages',
  'history_usage',
  'history_cutoffs',
];

/**
 * Operator tools, not services, keyed by app or by a folder of one (`api/admin`). They may write
 * tables other services own, because deleting an app must remove its data from every table at
 * once (an app's owner asked for it; leaving rows behind would keep its users' data): the CLI
 * manages apps and credentials next to the admin API, and the admin API deletes apps with their
 * data. The admin API also works on the webhooks dispatcher's outbox as the operator's tool: it
 * lists an endpoint's dead deliveries, queues them again (replay) and deletes an endpoint's rows
 * with the endpoint. Services never do this; they ask each other over NATS.
 */
export const TOOL_ACCESS: Readonly<Record<string, readonly string[]>> = {
  cli: ['apps', 'customer_credentials', ...APP_DATA_TABLES],
  // webhook_deliveries is an app data table too; named again for the failures / replay routes.
  'api/admin': [...new Set([...APP_DATA_TABLES, 'webhook_deliveries'])],
};
