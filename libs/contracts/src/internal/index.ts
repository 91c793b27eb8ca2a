/**
 * @parley/contracts/internal — what Parley's processes say to each other: NATS subjects, the bodies
 * on user / channel / status subjects, and service request/reply DTOs. Never part of the SDK (its
 * bundle is tested to contain none of it); the SDK's half is @parley/contracts.
 */
export * from './subjects';
export * from './presence.dto';
export * from './offline.dto';
export * from './messages.dto';
export * from './status.dto';
export * from './channels.dto';
export * from './attributes.dto';
export * from './invitations.dto';
export * from './media.dto';
export * from './events.dto';
export * from './moderation.dto';
export * from './webhooks.dto';
export * from './metadata.dto';
export * from './metadata-subjects';
export * from './history.dto';
export * from './history-subjects';
export * from './admin.dto';
