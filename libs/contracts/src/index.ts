export * from './ids';
export * from './errors';
export * from './protocol';
export * from './codec';
export * from './subjects';
export * from './presence.dto';
export * from './messages';
export * from './offline.dto';
