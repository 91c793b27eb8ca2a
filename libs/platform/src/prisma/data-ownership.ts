/**
 * Which service owns which table (docs/architecture.md, "Who owns which table"). A service writes and
 * reads only its own tables; another service reads one only through a view its owner declares.
 * data-ownership.spec.ts fails when a service's SQL or Prisma calls touch anything else.
 */
export const TABLE_OWNERS: Readonly<Record<string, string>> = {
  // apps (ids, certificates): written by the CLI / admin tooling, read by the gateway's auth.
  apps: 'gateway',
  gateways: 'presence',
  sessions: 'presence',
  offline_messages: 'presence',
  channels: 'channel',
  channel_members: 'channel',
  user_attribute_sets: 'attributes',
  user_attributes: 'attributes',
  channel_attribute_sets: 'attributes',
  channel_attributes: 'attributes',
  invitations: 'invitation',
  media: 'media',
};

/** Read-only views an owner declares for other services: view → its owner and who may read it. */
export const DECLARED_VIEWS: Readonly<Record<string, { owner: string; readers: readonly string[] }>> = {
  session_registry: { owner: 'presence', readers: ['channel', 'attributes'] },
};

/** The CLI is an operator tool, not a service: it manages apps next to the gateway. */
export const TOOL_ACCESS: Readonly<Record<string, readonly string[]>> = {
  cli: ['apps'],
};
