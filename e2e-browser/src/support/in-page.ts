import type AgoraRTMDefault from '@parley/sdk';
import type { LocalInvitation, RemoteInvitation, RtmChannel, RtmClient } from '@parley/sdk';

/** One event seen in a page: which client/channel/invitation (`who`), its name, its arguments made plain. */
export interface RecordedEvent {
  who: string;
  event: string;
  args: unknown[];
}

/**
 * `window.rec` in an SDK page: creates clients, channels and invitations through the real SDK
 * (the script-tag bundle) and records every event they emit, also onto the page (#events) so
 * screenshots show what happened.
 */
export interface PageRecorder {
  events: RecordedEvent[];
  clients: Record<string, RtmClient>;
  channels: Record<string, RtmChannel>;
  /** Received invitations, in order (recorded as `invitation:<index>`). */
  remoteInvitations: RemoteInvitation[];
  localInvitations: Record<string, LocalInvitation>;
  /** AgoraRTM.createInstance(appId), recorded as `who`. */
  client(who: string, appId: string): RtmClient;
  /** client.createChannel(channelId), recorded as `who`. */
  channel(who: string, client: RtmClient, channelId: string): RtmChannel;
  /** client.createLocalInvitation(calleeId), recorded as `who`. */
  invite(who: string, client: RtmClient, calleeId: string): LocalInvitation;
  /** The events of `who` named `event` (all of them when omitted). */
  of(who: string, event?: string): RecordedEvent[];
}

declare global {
  interface Window {
    AgoraRTM: typeof AgoraRTMDefault;
    rec: PageRecorder;
  }
}

/**
 * Installs `window.rec` (a Playwright init script: serialized, runs in the page before its scripts,
 * so it may use nothing from this module's scope).
 */
export function installRecorder(): void {
  const CLIENT_EVENTS = [
    'ConnectionStateChanged',
    'MessageFromPeer',
    'PeersOnlineStatusChanged',
    'RemoteInvitationReceived',
    'TokenExpired',
    'TokenPrivilegeWillExpire',
  ];
  const CHANNEL_EVENTS = ['ChannelMessage', 'MemberJoined', 'MemberLeft', 'MemberCountUpdated', 'AttributesUpdated'];
  const LOCAL_EVENTS = [
    'LocalInvitationAccepted',
    'LocalInvitationRefused',
    'LocalInvitationReceivedByPeer',
    'LocalInvitationCanceled',
    'LocalInvitationFailure',
  ];
  const REMOTE_EVENTS = ['RemoteInvitationAccepted', 'RemoteInvitationRefused', 'RemoteInvitationCanceled', 'RemoteInvitationFailure'];
  type Listener = (...args: unknown[]) => void;
  type Emitter = { on(event: string, listener: Listener): unknown };

  const rec = {
    events: [] as RecordedEvent[],
    clients: {} as Record<string, RtmClient>,
    channels: {} as Record<string, RtmChannel>,
    remoteInvitations: [] as RemoteInvitation[],
    localInvitations: {} as Record<string, LocalInvitation>,
    client(who: string, appId: string): RtmClient {
      const client = window.AgoraRTM.createInstance(appId, { logFilter: window.AgoraRTM.LOG_FILTER_WARNING });
      rec.clients[who] = client;
      listen(who, client as unknown as Emitter, CLIENT_EVENTS);
      return client;
    },
    channel(who: string, client: RtmClient, channelId: string): RtmChannel {
      const channel = client.createChannel(channelId);
      rec.channels[who] = channel;
      listen(who, channel as unknown as Emitter, CHANNEL_EVENTS);
      return channel;
    },
    invite(who: string, client: RtmClient, calleeId: string): LocalInvitation {
      const invitation = client.createLocalInvitation(calleeId);
      rec.localInvitations[who] = invitation;
      listen(who, invitation as unknown as Emitter, LOCAL_EVENTS);
      return invitation;
    },
    of(who: string, event?: string): RecordedEvent[] {
      return rec.events.filter((e) => e.who === who && (event === undefined || e.event === event));
    },
  };

  function listen(who: string, emitter: Emitter, names: string[]): void {
    for (const event of names) {
      emitter.on(event, (...args: unknown[]) => {
        const plainArgs = args.map((a) => plain(a));
        rec.events.push({ who, event, args: plainArgs });
        show(`${who} ${event} ${JSON.stringify(plainArgs)}`);
      });
    }
  }

  /** JSON-safe copies; a received invitation becomes its index in rec.remoteInvitations (and is recorded). */
  function plain(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (value instanceof Uint8Array) return { bytes: Array.from(value) };
    if (Array.isArray(value)) return value.map((v) => plain(v));
    if (typeof (value as { accept?: unknown }).accept === 'function' && 'callerId' in value) {
      const inv = value as RemoteInvitation;
      const index = rec.remoteInvitations.push(inv) - 1;
      listen(`invitation:${index}`, inv as unknown as Emitter, REMOTE_EVENTS);
      return { invitation: index, callerId: inv.callerId, content: inv.content, channelId: inv.channelId, state: inv.state };
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (typeof v !== 'function') out[k] = plain(v);
    return out;
  }

  function show(line: string): void {
    const draw = (): void => {
      let list = document.getElementById('events');
      if (!list) {
        list = document.createElement('pre');
        list.id = 'events';
        document.body.appendChild(list);
      }
      list.textContent += `${new Date().toISOString().slice(11, 23)} ${line}\n`;
    };
    if (document.body) draw();
    else document.addEventListener('DOMContentLoaded', draw);
  }

  window.rec = rec as PageRecorder;
}

/** A page that loads the SDK from `sdkScriptUrl` by a plain script tag, as an app would. */
export function sdkPageHtml(sdkScriptUrl: string, title: string): string {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>${esc(title)}</title>
    <script src="${esc(sdkScriptUrl)}"></script>
    <style>body { font: 14px system-ui, sans-serif; margin: 16px; } pre { font-size: 12px; white-space: pre-wrap; }</style>
  </head>
  <body>
    <h1>${esc(title)}</h1>
    <p>SDK: <code>${esc(sdkScriptUrl)}</code> — <span id="sdk-version"></span></p>
    <script>document.getElementById('sdk-version').textContent = window.AgoraRTM ? 'AgoraRTM ' + window.AgoraRTM.VERSION : 'AgoraRTM missing';</script>
  </body>
</html>
`;
}
