import AgoraRTM, { type RtmClient } from '@parley/sdk';
import WebSocket from 'ws';

AgoraRTM.setWebSocketImplementation(WebSocket);

/** Logs in `count` SDK clients of one app, `parallel` at a time (logins are rate-limited per connection, not globally). */
export async function loginMany(appId: string, uids: string[], urlOf: (i: number) => string, parallel = 50): Promise<RtmClient[]> {
  const clients: RtmClient[] = new Array(uids.length);
  let next = 0;
  const worker = async () => {
    while (next < uids.length) {
      const i = next++;
      const client = AgoraRTM.createInstance(appId, { serverUrl: urlOf(i), logFilter: AgoraRTM.LOG_FILTER_OFF });
      await client.login({ uid: uids[i]! });
      clients[i] = client;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return clients;
}

export async function logoutMany(clients: RtmClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.logout().catch(() => undefined)));
}

export { AgoraRTM };
