// Public API of @parley/tokens. Packing primitives stay internal.
export {
  VERSION_006,
  PRIVILEGE_RTM_LOGIN_006,
  TOKEN_006_VALIDITY_SECONDS,
  MAX_TOKEN_LENGTH,
  type AccessToken006,
  type Build006Options,
  parseAccessToken006,
  sign006,
  build006,
  crc32,
} from './access-token-006';
export {
  VERSION_007,
  SERVICE_RTC,
  SERVICE_RTM,
  SERVICE_STREAMING,
  SERVICE_FPA,
  SERVICE_CHAT,
  SERVICE_FCDN,
  SERVICE_APAAS,
  SERVICE_RTM2,
  SERVICE_CONVOAI,
  SERVICE_STT,
  PRIVILEGE_RTM_LOGIN_007,
  type AccessToken007,
  type Service007,
  type Build007Options,
  parseAccessToken007,
  signingKey007,
  sign007,
  build007,
} from './access-token-007';
export * from './token-verifier';
export { LOGIN_TOKEN_FORMATS, type LoginTokenFormat, type LoginTokenOptions, buildLoginToken } from './login-token';
