// Validation schemas of the wire protocol (zod). A separate entry point: the SDK bundle does not
// need them, so it does not carry zod.
export * from './requests.schema';
