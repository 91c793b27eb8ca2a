/**
 * Lengths that several places check (gateway, services, schemas, database columns): defined once.
 * Browser-safe. Configurable limits (rates, counts per call) live in the apps' validated config.
 */
export const ID_LIMITS = {
  /** An SDK instance id (the login's identity across resumes): 1–64 characters. */
  INSTANCE_ID_MAX: 64,
  /** Media and upload ids (32 hex characters; columns hold up to 64). */
  MEDIA_ID_MAX: 64,
  UPLOAD_ID_MAX: 64,
  /** A peer/channel message id chosen by the sending SDK. */
  MESSAGE_ID_MAX: 128,
} as const;

/** Above this many members a channel has no MemberJoined/MemberLeft and counts come every 3 s (agora-rtm 1.x). */
export const CHANNEL_EVENTS_MAX_MEMBERS = 512;
