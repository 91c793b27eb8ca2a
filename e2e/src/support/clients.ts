import AgoraRTM from '@parley/sdk';
import type { RtmClient } from '@parley/sdk';
import { nextEvent, waitFor } from '@parley/testing';

export { AgoraRTM };
export type { RtmClient };

/** A client as an app would create it, pointed at the given gateways; logged out at the end of the test file. */
const made: RtmClient[] = [];

export function newClient(appId: string, serverUrl: string | string[]): RtmClient {
  const client = AgoraRTM.createInstance(appId, { serverUrl, logFilter: AgoraRTM.LOG_FILTER_OFF });
  made.push(client);
  return client;
}

export function connectionStates(client: RtmClient): Array<[string, string]> {
  const seen: Array<[string, string]> = [];
  client.on('ConnectionStateChanged', (state, reason) => seen.push([state, reason]));
  return seen;
}

export async function logoutAll(): Promise<void> {
  await Promise.all(made.splice(0).map((c) => c.logout().catch(() => undefined)));
}

export async function waitForState(client: RtmClient, states: Array<[string, string]>, state: string, reason?: string, timeoutMs = 15_000) {
  await waitFor(() => states.some(([s, r]) => s === state && (reason === undefined || r === reason)), {
    timeoutMs,
    what: `${state}/${reason ?? '*'} (saw ${JSON.stringify(states)})`,
  });
}

export { nextEvent };
