import AgoraRTM from '@parley/rtm-sdk';
import type { LocalInvitation, RemoteInvitation, RtmChannel, RtmClient, RtmConfig, RtmMessage } from '@parley/rtm-sdk';
import { describeError, errorName, parseList, peerResult } from '../format';
import {
  capped,
  INITIAL,
  localInvitationText,
  memberJoined,
  memberLeft,
  membersLoaded,
  queried,
  sentResult,
  subscribed,
  unsubscribed,
  type ChannelState,
  type PlaygroundState,
} from './state';
import { Store } from './store';
import { isMedia, MediaTransfers, objectUrls, type UrlFactory } from './transfers';

export type { PlaygroundState } from './state';

/** Makes the SDK client (tests pass a fake). */
export type ClientFactory = (appId: string, config: RtmConfig) => RtmClient;

const sdkClient: ClientFactory = (appId, config) => AgoraRTM.createInstance(appId, { ...config, logFilter: AgoraRTM.LOG_FILTER_WARNING });

const textOf = (m: RtmMessage): string =>
  m.messageType === 'RAW' ? `[RAW ${m.rawMessage.byteLength} bytes]` : 'text' in m && typeof m.text === 'string' ? m.text : '';

/** The attribute writes the playground offers: replace all, add or update one key, delete one key, clear. */
export type AttributeOp = 'replace' | 'set' | 'delete' | 'clear';
const OP_NAMES: Record<AttributeOp, string> = { replace: 'Replace', set: 'Set', delete: 'Delete', clear: 'Clear' };

/**
 * The playground's one RtmClient and everything the views show about it, in a Store. Every SDK
 * call goes through here; a rejection becomes `state.error` (the SDK error's name and code), never
 * an exception in a view.
 */
export class PlaygroundSession {
  readonly store = new Store<PlaygroundState>(INITIAL);
  private client: RtmClient | null = null;
  private channel: RtmChannel | null = null;
  private local: LocalInvitation | null = null;
  private remote: RemoteInvitation | null = null;
  private keys = 0;
  /** Files and images (transfers.ts): views call `session.media.upload(…)`, `.download(key)`, … */
  readonly media: MediaTransfers;

  constructor(
    private readonly createClient: ClientFactory = sdkClient,
    urls: UrlFactory = objectUrls,
  ) {
    this.media = new MediaTransfers(
      {
        store: this.store,
        nextKey: () => ++this.keys,
        client: () => this.client,
        channel: () => this.channel,
        attempt: (what, call) => this.attempt(what, call),
        sendToPeer: (message, to, label, options) => this.sendToPeer(message, to, label, options),
      },
      urls,
    );
  }

  private update(change: (s: PlaygroundState) => Partial<PlaygroundState>): void {
    this.store.update(change);
  }

  /** Runs an SDK call; true when it succeeded, else the error is shown. */
  private async attempt(what: string, call: () => unknown): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (err) {
      this.update(() => ({ error: `${what} failed: ${describeError(err)}` }));
      return false;
    }
  }

  /** Like attempt, with the call's value (undefined when it failed). */
  private async fetch<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    let value: T | undefined;
    const ok = await this.attempt(what, async () => (value = await call()));
    return ok ? value : undefined;
  }

  private need(): RtmClient {
    if (!this.client) throw Object.assign(new Error('Log in first.'), { name: 'NotLoggedIn' });
    return this.client;
  }

  private changeChannel(channel: RtmChannel, change: (c: ChannelState) => Partial<ChannelState>): void {
    this.update((s) => (s.channel && this.channel === channel ? { channel: { ...s.channel, ...change(s.channel) } } : {}));
  }

  // --- session ---

  /** Logs in as `uid` (replacing any earlier client); `gatewayUrl` may be a comma-separated failover list. */
  async login(gatewayUrl: string, appId: string, uid: string, token: string): Promise<void> {
    await this.logout();
    let client: RtmClient;
    try {
      client = this.createClient(appId, { serverUrl: parseList(gatewayUrl) });
    } catch (err) {
      this.update(() => ({ error: `Log in failed: ${describeError(err)}` }));
      return;
    }
    this.client = client;
    this.update(() => ({ appId, uid, connection: 'CONNECTING', reason: 'LOGIN' }));
    client.on('ConnectionStateChanged', (connection, reason) => this.update(() => ({ connection, reason })));
    client.on('MessageFromPeer', (message, from, props) => this.received(message, from, props.serverReceivedTs, props.isOfflineMessage === true));
    client.on('PeersOnlineStatusChanged', (status) => this.update((s) => ({ statuses: { ...s.statuses, ...status } })));
    client.on('RemoteInvitationReceived', (inv) => this.incoming(inv));
    client.on('TokenPrivilegeWillExpire', () => this.update(() => ({ notice: 'The token expires in 30 s: paste a new one and Renew token.' })));
    client.on('TokenExpired', () => this.update(() => ({ notice: 'The token expired.' })));
    client.on('BannedByServer', () => this.update(() => ({ notice: 'Banned by the server.' })));
    const ok = await this.attempt('Log in', () => client.login(token ? { uid, token } : { uid }));
    if (!ok && this.client === client) {
      this.client = null;
      client.removeAllListeners();
      this.update(() => ({ uid: null, connection: 'DISCONNECTED' }));
    }
  }

  async logout(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.channel = null;
    this.local = null;
    this.remote = null;
    this.media.reset();
    if (client) {
      client.removeAllListeners();
      await client.logout().catch(() => undefined);
    }
    this.update(() => ({ ...INITIAL }));
  }

  async renewToken(token: string): Promise<void> {
    if (await this.attempt('Renew token', () => this.need().renewToken(token))) this.update(() => ({ notice: 'Token renewed.' }));
  }

  dismissError(): void {
    this.update(() => ({ error: null }));
  }

  // --- peer messages ---

  private received(message: RtmMessage, from: string, ts: number, offline: boolean): void {
    if (isMedia(message)) return this.media.received(message, from, 'peer');
    this.update((s) => ({ received: capped(s.received, { key: ++this.keys, from, text: textOf(message), ts, offline }) }));
  }

  async sendPeer(to: string, text: string, offline: boolean, history: boolean): Promise<void> {
    await this.sendToPeer({ text }, to, text, { enableOfflineMessaging: offline, enableHistoricalMessaging: history });
  }

  /** Shows the message as SENDING, then its delivery result or `Failed: <error name>`. */
  private async sendToPeer(
    message: RtmMessage,
    to: string,
    label: string,
    options: { enableOfflineMessaging: boolean; enableHistoricalMessaging?: boolean },
  ): Promise<boolean> {
    const key = ++this.keys;
    this.update((s) => ({ sent: capped(s.sent, { key, to, text: label, result: 'SENDING' }) }));
    try {
      const result = await this.need().sendMessageToPeer(message, to, options);
      this.update((s) => sentResult(s, key, peerResult(result)));
      return true;
    } catch (err) {
      this.update((s) => ({ ...sentResult(s, key, `Failed: ${errorName(err)}`), error: `Send failed: ${describeError(err)}` }));
      return false;
    }
  }

  // --- channel ---

  async join(name: string): Promise<void> {
    if (this.channel) await this.leave();
    let channel: RtmChannel;
    try {
      channel = this.need().createChannel(name);
    } catch (err) {
      this.update(() => ({ error: `Join failed: ${describeError(err)}` }));
      return;
    }
    this.channel = channel;
    this.update(() => ({ channel: { name, joined: false, members: [], count: null, messages: [], attributes: {} } }));
    channel.on('ChannelMessage', (message, from, props) => {
      if (isMedia(message)) return this.media.received(message, from, `#${name}`);
      const item = { key: ++this.keys, from, text: textOf(message), ts: props.serverReceivedTs, offline: false };
      this.changeChannel(channel, (c) => ({ messages: capped(c.messages, item) }));
    });
    channel.on('MemberJoined', (uid) => this.changeChannel(channel, (c) => memberJoined(c, uid)));
    channel.on('MemberLeft', (uid) => this.changeChannel(channel, (c) => memberLeft(c, uid)));
    channel.on('MemberCountUpdated', (count) => this.changeChannel(channel, () => ({ count })));
    channel.on('AttributesUpdated', (attributes) => this.changeChannel(channel, () => ({ attributes })));
    if (!(await this.attempt('Join', () => channel.join()))) {
      channel.removeAllListeners();
      if (this.channel === channel) this.channel = null;
      this.update(() => ({ channel: null }));
      return;
    }
    this.changeChannel(channel, () => ({ joined: true }));
    const members = await this.fetch('Get members', () => channel.getMembers());
    if (members) this.changeChannel(channel, (c) => membersLoaded(c, members));
    await this.refreshCount();
    const attributes = await this.fetch('Get channel attributes', () => this.need().getChannelAttributes(name));
    if (attributes) this.changeChannel(channel, () => ({ attributes }));
  }

  async leave(): Promise<void> {
    const channel = this.channel;
    this.channel = null;
    if (!channel) return;
    channel.removeAllListeners();
    this.update(() => ({ channel: null }));
    await this.attempt('Leave', () => channel.leave());
  }

  /** getChannelMemberCount of the joined channel (MemberCountUpdated keeps it current between calls). */
  async refreshCount(): Promise<void> {
    const channel = this.channel;
    const name = this.store.get().channel?.name;
    if (!channel || !name) return;
    const counts = await this.fetch('Get member count', () => this.need().getChannelMemberCount([name]));
    const count = counts?.[name];
    if (count !== undefined) this.changeChannel(channel, () => ({ count }));
  }

  async sendChannel(text: string, history: boolean): Promise<void> {
    const channel = this.channel;
    if (!channel) return void this.update(() => ({ error: 'Join a channel first.' }));
    if (await this.attempt('Send to channel', () => channel.sendMessage({ text }, { enableHistoricalMessaging: history }))) {
      const item = { key: ++this.keys, from: this.store.get().uid ?? '', text, ts: Date.now(), offline: false };
      this.changeChannel(channel, (c) => ({ messages: capped(c.messages, item) }));
    }
  }

  /** Channel attribute writes notify the members (AttributesUpdated), this page included. */
  async channelAttributes(op: AttributeOp, key = '', value = ''): Promise<void> {
    const name = this.store.get().channel?.name;
    if (!name) return;
    const notify = { enableNotificationToChannelMembers: true };
    const client = this.client;
    const ok = await this.attempt(`${OP_NAMES[op]} channel attributes`, () => {
      const c = this.need();
      switch (op) {
        case 'replace':
          return c.setChannelAttributes(name, { [key]: value }, notify);
        case 'set':
          return c.addOrUpdateChannelAttributes(name, { [key]: value }, notify);
        case 'delete':
          return c.deleteChannelAttributesByKeys(name, [key], notify);
        case 'clear':
          return c.clearChannelAttributes(name, notify);
      }
    });
    if (!ok || client !== this.client) return;
    const attributes = await this.fetch('Get channel attributes', () => this.need().getChannelAttributes(name));
    if (attributes) this.update((s) => (s.channel?.name === name ? { channel: { ...s.channel, attributes } } : {}));
  }

  // --- online status ---

  async subscribe(peers: string[]): Promise<void> {
    if (await this.attempt('Subscribe', () => this.need().subscribePeersOnlineStatus(peers))) this.update((s) => subscribed(s, peers));
  }

  async unsubscribe(peers: string[]): Promise<void> {
    if (await this.attempt('Unsubscribe', () => this.need().unsubscribePeersOnlineStatus(peers))) this.update((s) => unsubscribed(s, peers));
  }

  async query(peers: string[]): Promise<void> {
    const result = await this.fetch('Query online status', () => this.need().queryPeersOnlineStatus(peers));
    if (result) this.update((s) => queried(s, result));
  }

  // --- user attributes ---

  async localAttributes(op: AttributeOp, key = '', value = ''): Promise<void> {
    const ok = await this.attempt(`${OP_NAMES[op]} attributes`, () => {
      const c = this.need();
      switch (op) {
        case 'replace':
          return c.setLocalUserAttributes({ [key]: value });
        case 'set':
          return c.addOrUpdateLocalUserAttributes({ [key]: value });
        case 'delete':
          return c.deleteLocalUserAttributesByKeys([key]);
        case 'clear':
          return c.clearLocalUserAttributes();
      }
    });
    const uid = this.store.get().uid;
    if (!ok || !uid) return;
    const attributes = await this.fetch('Get attributes', () => this.need().getUserAttributes(uid));
    if (attributes) this.update(() => ({ localAttributes: attributes }));
  }

  async getPeerAttributes(uid: string): Promise<void> {
    const attributes = await this.fetch('Get user attributes', () => this.need().getUserAttributes(uid));
    if (attributes) this.update(() => ({ peerAttributes: { uid, attributes } }));
  }

  // --- call invitations ---

  /** Calls `callee`; `data-testid="invitation-state"` follows the SDK's LocalInvitationState. */
  async call(callee: string, content: string, channelId: string): Promise<void> {
    await this.attempt('Call', () => {
      const inv = this.need().createLocalInvitation(callee);
      inv.content = content;
      inv.channelId = channelId;
      this.local = inv;
      const show = (reason?: string) => this.update(() => (this.local === inv ? { outgoing: { callee, state: localInvitationText(inv.state, reason) } } : {}));
      inv.on('LocalInvitationReceivedByPeer', () => show());
      inv.on('LocalInvitationAccepted', (response) => show(response || undefined));
      inv.on('LocalInvitationRefused', (response) => show(response || undefined));
      inv.on('LocalInvitationCanceled', () => show());
      inv.on('LocalInvitationFailure', (reason) => show(reason));
      inv.send();
      show();
    });
  }

  async cancelCall(): Promise<void> {
    const inv = this.local;
    if (inv) await this.attempt('Cancel call', () => inv.cancel());
  }

  private incoming(inv: RemoteInvitation): void {
    this.remote = inv;
    const show = (reason?: string) =>
      this.update(() =>
        this.remote === inv
          ? { incoming: { caller: inv.callerId, content: inv.content, channelId: inv.channelId, state: localInvitationText(inv.state, reason) } }
          : {},
      );
    inv.on('RemoteInvitationCanceled', () => show());
    inv.on('RemoteInvitationAccepted', () => show());
    inv.on('RemoteInvitationRefused', () => show());
    inv.on('RemoteInvitationFailure', (reason) => show(reason));
    show();
  }

  async answer(accept: boolean, response = ''): Promise<void> {
    const inv = this.remote;
    if (!inv) return;
    const ok = await this.attempt(accept ? 'Accept' : 'Refuse', () => {
      inv.response = response;
      if (accept) inv.accept();
      else inv.refuse();
    });
    if (ok && this.remote === inv) this.update((s) => (s.incoming ? { incoming: { ...s.incoming, state: inv.state } } : {}));
  }
}
