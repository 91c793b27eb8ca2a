/**
 * @parley/contracts — the public wire protocol: what the SDK and a gateway say to each other
 * (docs/protocol.md). Browser-safe. Internal subjects and service DTOs: @parley/contracts/internal.
 */
export * from './ids';
export * from './errors';
export * from './protocol';
export * from './codec';
export * from './messages';
export * from './channels';
export * from './require';
export * from './attributes';
export * from './status';
export * from './invitations';
export * from './media';
export * from './frame-decoder';
export * from './limits';
export * from './metadata';
export * from './history';
