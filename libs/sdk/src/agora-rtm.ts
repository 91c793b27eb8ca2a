import { END_CALL_PREFIX, isAppId } from '@parley/contracts';
import { setWebSocketImplementation, type WebSocketImplementation } from './connection/transport';
import {
  AreaCode,
  ConnectionChangeReason,
  ConnectionState,
  LegacyAreaCode,
  LocalInvitationFailureReason,
  LocalInvitationState,
  MessageType,
  PeerOnlineState,
  PeerSubscriptionOption,
  RemoteInvitationFailureReason,
  RemoteInvitationState,
} from './enums';
import { CREATE_INSTANCE_ERR, RtmInvalidArgumentError } from './errors';
import { LOG_FILTER_DEBUG, LOG_FILTER_ERROR, LOG_FILTER_INFO, LOG_FILTER_OFF, LOG_FILTER_WARNING } from './logger';
import { getParameter, setParameter, setServerUrl } from './parameters';
import { RtmClient } from './rtm-client';
import type { AreaConfig, RtmConfig } from './types';
import { validateConfig } from './validate';
import { BUILD, VERSION } from './version';

const AREA_CODES = Object.values(AreaCode) as string[];
const LEGACY_AREA_CODES = Object.values(LegacyAreaCode) as string[];
const EXCLUDABLE_AREAS: string[] = [AreaCode.CHINA, AreaCode.JAPAN, AreaCode.ASIA];

/**
 * Creates an RtmClient. Several instances may coexist. `areaCodes` (deprecated since agora-rtm-sdk
 * 1.4.3) is validated and ignored: Parley connects to its configured server URL(s).
 */
function createInstance(appId: string, config?: RtmConfig): RtmClient;
/** @deprecated since agora-rtm-sdk 1.4.3: use setArea. */
function createInstance(appId: string, config?: RtmConfig, areaCodes?: AreaCode[]): RtmClient;
function createInstance(appId: string, config?: RtmConfig, areaCodes?: AreaCode[]): RtmClient {
  if (!isAppId(appId)) throw new RtmInvalidArgumentError('Invalid App ID: 32 letters or digits expected.', CREATE_INSTANCE_ERR.INVALID_ARGUMENT);
  const checked = validateConfig(config, CREATE_INSTANCE_ERR.INVALID_ARGUMENT);
  if (areaCodes !== undefined) {
    const ok = Array.isArray(areaCodes) && areaCodes.every((c) => AREA_CODES.includes(c) || LEGACY_AREA_CODES.includes(c));
    if (!ok) throw new RtmInvalidArgumentError('Invalid area codes.', CREATE_INSTANCE_ERR.INVALID_ARGUMENT);
  }
  return new RtmClient(appId, checked);
}

let area: AreaConfig = { areaCodes: [AreaCode.GLOBAL] };

/** Validated like agora-rtm-sdk 1.4.3+ and recorded; Parley does not route by area. */
function setArea(areaConfig: AreaConfig): void {
  const codes: unknown = areaConfig?.areaCodes;
  const excluded: unknown = areaConfig?.excludedArea;
  if (!Array.isArray(codes) || codes.length === 0 || !codes.every((c) => AREA_CODES.includes(c))) {
    throw new RtmInvalidArgumentError('setArea: areaCodes must be a non-empty list of AreaCode.');
  }
  if (excluded !== undefined) {
    if (typeof excluded !== 'string' || !EXCLUDABLE_AREAS.includes(excluded) || !codes.includes(AreaCode.GLOBAL) || codes.includes(excluded)) {
      throw new RtmInvalidArgumentError('setArea: excludedArea must be CHINA, JAPAN or ASIA, used with GLOBAL only.');
    }
  }
  area = { areaCodes: [...codes] as AreaCode[], excludedArea: excluded as AreaCode | undefined };
}

/** Random id of this SDK instance in the page / process (agora-rtm-sdk runtime key). */
const processId = Array.from({ length: 16 }, () => Math.floor(Math.random() * 16).toString(16)).join('');

/**
 * The module object (`import AgoraRTM from '@parley/rtm-sdk'`, or `window.AgoraRTM`): the members of
 * agora-rtm-sdk 1.6.0's runtime plus Parley's setServerUrl / setWebSocketImplementation.
 */
const AgoraRTM = {
  createInstance,
  /** Parley SDK version (not an agora-rtm-sdk version; API level: agora-rtm-sdk 1.6.0). */
  VERSION,
  BUILD,
  /** Text prefix of legacy Signaling end-call messages: `${END_CALL_PREFIX}_<channelId>_<info>` (an ordinary text message). */
  END_CALL_PREFIX: END_CALL_PREFIX as string,
  processId,
  ConnectionChangeReason,
  ConnectionState,
  LocalInvitationFailureReason,
  LocalInvitationState,
  RemoteInvitationFailureReason,
  RemoteInvitationState,
  MessageType,
  PeerOnlineState,
  PeerSubscriptionOption,
  AreaCode,
  LOG_FILTER_OFF,
  LOG_FILTER_ERROR,
  LOG_FILTER_WARNING,
  LOG_FILTER_INFO,
  LOG_FILTER_DEBUG,
  setArea,
  /** agora-rtm-sdk runtime: process-wide parameters. Parley keys: 'WebSocket' (constructor), 'PARLEY_TIMERS' (tests). */
  setParameter: setParameter as (key: string, value: unknown) => void,
  getParameter: getParameter as (key: string) => unknown,
  /**
   * Parley: the gateway URL(s) every client uses unless its config has `serverUrl`.
   * `wss://rtm.example.com` → `wss://rtm.example.com/v1/ws`; a list is a failover order; null resets.
   */
  setServerUrl: setServerUrl as (url: string | string[] | null) => void,
  /** Parley: the WebSocket constructor to use instead of globalThis.WebSocket (e.g. the `ws` package's). */
  setWebSocketImplementation: setWebSocketImplementation as (ctor: WebSocketImplementation | null) => void,
};

// Also as a non-enumerable `default`, for TypeScript output without esModuleInterop (`require(..).default`).
Object.defineProperty(AgoraRTM, 'default', { value: AgoraRTM, enumerable: false });

/** Current setArea() configuration (diagnostics). */
export function currentArea(): AreaConfig {
  return { ...area, areaCodes: [...area.areaCodes] };
}

export default AgoraRTM;
