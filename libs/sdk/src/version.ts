/**
 * `AgoraRTM.VERSION` is Parley's own SDK version (the npm version of @parley/rtm-sdk), not an
 * agora-rtm-sdk version: apps that log it see which Parley SDK they run. The API level it is
 * compatible with is agora-rtm-sdk 1.6.0 (plus the 1.4.5 media/offline API): AGORA_API_LEVEL.
 *
 * One source: libs/sdk/package.json's version. The build injects it (tsup `define`), jest sets the
 * same global for source runs (jest.preset.cjs); a spec test checks the built package agrees.
 * Source bundled by another tool without the define reports SOURCE_VERSION.
 */
declare const __PARLEY_SDK_VERSION__: string | undefined;

export const SOURCE_VERSION = '0.0.0-source';
export const VERSION: string = typeof __PARLEY_SDK_VERSION__ === 'string' ? __PARLEY_SDK_VERSION__ : SOURCE_VERSION;
export const AGORA_API_LEVEL = '1.6.0';
export const BUILD = `parley-rtm-sdk-${VERSION}`;
/** Sent as LoginArgs.sdk. */
export const SDK_ID = `parley/${VERSION}`;
