/**
 * `AgoraRTM.VERSION` is Parley's own SDK version (the npm version of @parley/rtm-sdk), not an
 * agora-rtm-sdk version: apps that log it see which Parley SDK they run. The API level it is
 * compatible with is agora-rtm-sdk 1.6.0 (plus the 1.4.5 media/offline API): AGORA_API_LEVEL.
 * A spec test keeps VERSION equal to libs/sdk/package.json's version.
 */
export const VERSION = '0.1.0';
export const AGORA_API_LEVEL = '1.6.0';
export const BUILD = `parley-rtm-sdk-${VERSION}`;
/** Sent as LoginArgs.sdk. */
export const SDK_ID = `parley/${VERSION}`;
