import type { LocalInvitation, PeerMessageSendResult, RemoteInvitation, RtmChannel, RtmClient } from '@parley/rtm-sdk';

type Listener = (...args: never[]) => void;

/** The part of the SDK's event emitters the session uses. */
class FakeEmitter {
  private readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }
  emit(event: string, ...args: unknown[]): boolean {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => void)(...args);
    return this.listeners.has(event);
  }
}

/** An SDK error as the SDK makes them: a name and a numeric code. */
export const sdkError = (name: string, code: number, message = 'failed') => Object.assign(new Error(message), { name, code });

export class FakeChannel extends FakeEmitter {
  members: string[] = [];
  joined = false;
  sent: unknown[] = [];
  constructor(readonly channelId: string) {
    super();
  }
  async join(): Promise<void> {
    this.joined = true;
  }
  async leave(): Promise<void> {
    this.joined = false;
  }
  async getMembers(): Promise<string[]> {
    return this.members;
  }
  async sendMessage(message: unknown): Promise<void> {
    this.sent.push(message);
  }
}

export class FakeLocalInvitation extends FakeEmitter {
  content = '';
  channelId = '';
  state = 'IDLE';
  constructor(readonly calleeId: string) {
    super();
  }
  send(): void {
    this.state = 'SENT_TO_REMOTE';
  }
  cancel(): void {
    this.state = 'CANCELED';
    this.emit('LocalInvitationCanceled');
  }
  /** Moves to `state`, then emits `event` (the SDK's order). */
  step(state: string, event: string, ...args: unknown[]): void {
    this.state = state;
    this.emit(event, ...args);
  }
}

export class FakeRemoteInvitation extends FakeEmitter {
  response = '';
  state = 'INVITATION_RECEIVED';
  constructor(
    readonly callerId: string,
    readonly content = '',
    readonly channelId = '',
  ) {
    super();
  }
  accept(): void {
    this.state = 'ACCEPT_SENT_TO_LOCAL';
  }
  refuse(): void {
    this.state = 'REFUSED';
  }
}

/** A client whose calls answer as the test says; it records what was asked. */
export class FakeClient extends FakeEmitter {
  loginError: Error | null = null;
  sendAnswer: PeerMessageSendResult | Error = { hasPeerReceived: true, deliveryState: 'RECEIVED' };
  readonly channels = new Map<string, FakeChannel>();
  readonly invitations: FakeLocalInvitation[] = [];
  readonly calls: string[] = [];
  channelAttributes: Record<string, { value: string; lastUpdateUserId: string; lastUpdateTs: number }> = {};
  userAttributes: Record<string, string> = {};
  memberCounts: Record<string, number> = {};
  /** Uploads wait for this (resolve to finish, reject to fail) when set; else they finish at once. */
  uploadGate: Promise<void> | null = null;

  constructor(
    readonly appId: string,
    readonly config: unknown,
  ) {
    super();
  }
  async login(options: { uid: string; token?: string }): Promise<void> {
    this.calls.push(`login ${options.uid} ${options.token ?? '-'}`);
    this.emit('ConnectionStateChanged', 'CONNECTING', 'LOGIN');
    if (this.loginError) {
      this.emit('ConnectionStateChanged', 'DISCONNECTED', 'LOGIN_FAILURE');
      throw this.loginError;
    }
    this.emit('ConnectionStateChanged', 'CONNECTED', 'LOGIN_SUCCESS');
  }
  async logout(): Promise<void> {
    this.calls.push('logout');
  }
  async sendMessageToPeer(message: unknown, peerId: string, options: unknown): Promise<PeerMessageSendResult> {
    this.calls.push(`send ${peerId} ${JSON.stringify(message)} ${JSON.stringify(options)}`);
    if (this.sendAnswer instanceof Error) throw this.sendAnswer;
    return this.sendAnswer;
  }
  createChannel(id: string): RtmChannel {
    const channel = new FakeChannel(id);
    this.channels.set(id, channel);
    return channel as unknown as RtmChannel;
  }
  async getChannelAttributes(): Promise<typeof this.channelAttributes> {
    return this.channelAttributes;
  }
  async getChannelMemberCount(channels: string[]): Promise<Record<string, number>> {
    return Object.fromEntries(channels.filter((c) => c in this.memberCounts).map((c) => [c, this.memberCounts[c]!]));
  }
  async setChannelAttributes(channelId: string, attributes: Record<string, string>, options: unknown): Promise<void> {
    this.calls.push(`set channel attributes ${channelId} ${JSON.stringify(attributes)} ${JSON.stringify(options)}`);
    this.channelAttributes = {};
    for (const [k, value] of Object.entries(attributes)) this.channelAttributes[k] = { value, lastUpdateUserId: 'me', lastUpdateTs: 1 };
  }
  async addOrUpdateChannelAttributes(channelId: string, attributes: Record<string, string>, options: unknown): Promise<void> {
    this.calls.push(`channel attributes ${channelId} ${JSON.stringify(attributes)} ${JSON.stringify(options)}`);
    for (const [k, value] of Object.entries(attributes)) this.channelAttributes[k] = { value, lastUpdateUserId: 'me', lastUpdateTs: 1 };
  }
  async subscribePeersOnlineStatus(peers: string[]): Promise<void> {
    this.calls.push(`subscribe ${peers.join(',')}`);
  }
  async unsubscribePeersOnlineStatus(peers: string[]): Promise<void> {
    this.calls.push(`unsubscribe ${peers.join(',')}`);
  }
  async queryPeersOnlineStatus(peers: string[]): Promise<Record<string, boolean>> {
    return Object.fromEntries(peers.map((p) => [p, p.startsWith('on')]));
  }
  async setLocalUserAttributes(attributes: Record<string, string>): Promise<void> {
    this.userAttributes = { ...attributes };
  }
  async addOrUpdateLocalUserAttributes(attributes: Record<string, string>): Promise<void> {
    Object.assign(this.userAttributes, attributes);
  }
  async getUserAttributes(): Promise<Record<string, string>> {
    return { ...this.userAttributes };
  }
  createLocalInvitation(callee: string): LocalInvitation {
    const inv = new FakeLocalInvitation(callee);
    this.invitations.push(inv);
    return inv as unknown as LocalInvitation;
  }
  async createMediaMessageByUploading(
    file: File,
    params: { messageType: 'FILE' | 'IMAGE'; fileName: string },
    handler: { cancelSignal?: AbortSignal; onOperationProgress?: (p: { currentSize: number; totalSize: number }) => void },
  ): Promise<unknown> {
    this.calls.push(`upload ${params.messageType} ${params.fileName}`);
    handler.onOperationProgress?.({ currentSize: 1, totalSize: file.size });
    if (this.uploadGate) {
      const gate = this.uploadGate;
      await new Promise<void>((resolve, reject) => {
        handler.cancelSignal?.addEventListener('abort', () => reject(sdkError('RtmCanceledError', 6, 'canceled')));
        gate.then(resolve, reject);
      });
    }
    return { messageType: params.messageType, fileName: params.fileName, size: file.size, mediaId: `media-${params.fileName}` };
  }
  async downloadMedia(mediaId: string, handler: { onOperationProgress?: (p: { currentSize: number; totalSize: number }) => void }): Promise<Blob> {
    handler.onOperationProgress?.({ currentSize: 2, totalSize: 4 });
    return new Blob([mediaId]);
  }
  /** A RemoteInvitationReceived from `caller`. */
  invite(caller: string, content = ''): FakeRemoteInvitation {
    const inv = new FakeRemoteInvitation(caller, content);
    this.emit('RemoteInvitationReceived', inv as unknown as RemoteInvitation);
    return inv;
  }
}

/** A client factory for PlaygroundSession that keeps the clients it made. */
export function fakeClients(setup: (c: FakeClient) => void = () => undefined) {
  const made: FakeClient[] = [];
  const factory = (appId: string, config: unknown): RtmClient => {
    const client = new FakeClient(appId, config);
    setup(client);
    made.push(client);
    return client as unknown as RtmClient;
  };
  return { made, factory };
}
