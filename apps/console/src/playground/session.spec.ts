import { fakeClients, sdkError, type FakeClient } from '../test/fake-client';
import { PlaygroundSession } from './session';

const APP = '0123456789abcdef0123456789abcdef';
const urls = () => {
  const revoked: string[] = [];
  let n = 0;
  return { revoked, create: () => `blob:${++n}`, revoke: (url: string) => void revoked.push(url) };
};

async function loggedIn(setup?: (c: FakeClient) => void) {
  const clients = fakeClients(setup);
  const sut = new PlaygroundSession(clients.factory, urls());
  await sut.login('ws://a/v1/ws, ws://b/v1/ws', APP, 'alice', '');
  return { sut, client: clients.made[0]!, clients };
}

describe('PlaygroundSession', () => {
  it('logs in with the gateway list and follows the connection state', async () => {
    const { sut, client } = await loggedIn();
    expect(client.appId).toBe(APP);
    expect(client.config).toEqual({ serverUrl: ['ws://a/v1/ws', 'ws://b/v1/ws'] });
    expect(client.calls).toEqual(['login alice -']);
    expect(sut.store.get()).toMatchObject({ connection: 'CONNECTED', reason: 'LOGIN_SUCCESS', uid: 'alice', error: null });
    client.emit('ConnectionStateChanged', 'RECONNECTING', 'INTERRUPTED');
    expect(sut.store.get()).toMatchObject({ connection: 'RECONNECTING', reason: 'INTERRUPTED' });
    await sut.logout();
    expect(client.calls).toContain('logout');
    expect(sut.store.get()).toMatchObject({ connection: 'DISCONNECTED', uid: null });
  });

  it('shows a failed login with the SDK error name and code', async () => {
    const { sut } = await loggedIn((c) => (c.loginError = sdkError('RtmUnauthenticatedError', 5, 'invalid token')));
    expect(sut.store.get()).toMatchObject({ connection: 'DISCONNECTED', uid: null });
    expect(sut.store.get().error).toBe('Log in failed: RtmUnauthenticatedError (code 5): invalid token');
  });

  it('shows each sent peer message with its delivery result', async () => {
    const { sut, client } = await loggedIn();
    await sut.sendPeer('bob', 'hi', false, false);
    client.sendAnswer = { hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' };
    await sut.sendPeer('carol', 'later', true, true);
    client.sendAnswer = sdkError('RtmTimeoutError', 2);
    await sut.sendPeer('dave', 'lost', false, false);
    expect(sut.store.get().sent.map((m) => [m.to, m.text, m.result])).toEqual([
      ['bob', 'hi', 'PEER_RECEIVED'],
      ['carol', 'later', 'CACHED_BY_SERVER'],
      ['dave', 'lost', 'Failed: RtmTimeoutError'],
    ]);
    expect(client.calls[2]).toBe('send carol {"text":"later"} {"enableOfflineMessaging":true,"enableHistoricalMessaging":true}');
    expect(sut.store.get().error).toBe('Send failed: RtmTimeoutError (code 2): failed');
  });

  it('lists received peer messages with their time and offline mark; files and images apart', async () => {
    const { sut, client } = await loggedIn();
    client.emit('MessageFromPeer', { text: 'hello', messageType: 'TEXT' }, 'bob', { serverReceivedTs: 1000, isOfflineMessage: true });
    const thumbnail = new Blob([new Uint8Array([1, 2, 3])]);
    client.emit('MessageFromPeer', { messageType: 'IMAGE', fileName: 'cat.png', size: 4, mediaId: 'm1', thumbnail }, 'bob', { serverReceivedTs: 2000 });
    expect(sut.store.get().received).toEqual([{ key: expect.any(Number), from: 'bob', text: 'hello', ts: 1000, offline: true }]);
    expect(sut.store.get().media).toEqual([
      { key: expect.any(Number), from: 'bob', where: 'peer', kind: 'IMAGE', name: 'cat.png', size: 4, mediaId: 'm1', thumbnailUrl: 'blob:1' },
    ]);
    const key = sut.store.get().media[0]!.key;
    await sut.media.download(key);
    expect(sut.store.get().media[0]!.download).toEqual({ current: 2, total: 2, url: 'blob:2' });
  });

  it('follows a joined channel: members, count, messages, attributes', async () => {
    const { sut, client } = await loggedIn((c) => (c.channelAttributes = { topic: { value: 'news', lastUpdateUserId: 'bob', lastUpdateTs: 5 } }));
    const joining = sut.join('lobby');
    const channel = client.channels.get('lobby')!;
    channel.members = ['alice', 'bob'];
    channel.emit('MemberJoined', 'carol'); // before getMembers answered
    await joining;
    expect(sut.store.get().channel).toMatchObject({ name: 'lobby', joined: true, members: ['alice', 'bob', 'carol'], count: 3 });
    client.memberCounts = { lobby: 4 }; // getChannelMemberCount's answer wins over the members list's length
    await sut.refreshCount();
    expect(sut.store.get().channel!.count).toBe(4);
    channel.emit('MemberLeft', 'bob');
    channel.emit('MemberCountUpdated', 2);
    channel.emit('ChannelMessage', { text: 'hey', messageType: 'TEXT' }, 'carol', { serverReceivedTs: 7 });
    await sut.sendChannel('hi all', false);
    const c = sut.store.get().channel!;
    expect(c.members).toEqual(['alice', 'carol']);
    expect(c.count).toBe(2);
    expect(c.messages.map((m) => `${m.from}: ${m.text}`)).toEqual(['carol: hey', 'alice: hi all']);
    expect(c.attributes).toEqual({ topic: { value: 'news', lastUpdateUserId: 'bob', lastUpdateTs: 5 } });
    await sut.channelAttributes('set', 'mood', 'calm');
    expect(client.calls).toContain('channel attributes lobby {"mood":"calm"} {"enableNotificationToChannelMembers":true}');
    expect(sut.store.get().channel!.attributes['mood']).toMatchObject({ value: 'calm' });
    await sut.channelAttributes('replace', 'only', 'this');
    expect(client.calls).toContain('set channel attributes lobby {"only":"this"} {"enableNotificationToChannelMembers":true}');
    expect(Object.keys(sut.store.get().channel!.attributes)).toEqual(['only']);
    await sut.leave();
    expect(channel.joined).toBe(false);
    expect(sut.store.get().channel).toBeNull();
    channel.emit('MemberJoined', 'zed'); // a left channel's events show nowhere
    expect(sut.store.get().channel).toBeNull();
  });

  it('subscribes, queries and unsubscribes online status', async () => {
    const { sut, client } = await loggedIn();
    client.emit('PeersOnlineStatusChanged', { bob: 'ONLINE' });
    await sut.subscribe(['bob', 'carol']);
    expect(sut.store.get().statuses).toEqual({ bob: 'ONLINE', carol: '…' });
    await sut.query(['online-dave', 'erin']);
    expect(sut.store.get().statuses).toEqual({ bob: 'ONLINE', carol: '…', 'online-dave': 'ONLINE', erin: 'OFFLINE' });
    await sut.unsubscribe(['carol']);
    expect(Object.keys(sut.store.get().statuses)).toEqual(['bob', 'online-dave', 'erin']);
  });

  it('shows a call’s states, and answers an incoming one', async () => {
    const { sut, client } = await loggedIn();
    await sut.call('bob', 'lunch?', 'room');
    const inv = client.invitations[0]!;
    expect([inv.content, inv.channelId]).toEqual(['lunch?', 'room']);
    expect(sut.store.get().outgoing).toEqual({ callee: 'bob', state: 'SENT_TO_REMOTE' });
    inv.step('RECEIVED_BY_REMOTE', 'LocalInvitationReceivedByPeer');
    expect(sut.store.get().outgoing!.state).toBe('RECEIVED_BY_REMOTE');
    inv.step('ACCEPTED_BY_REMOTE', 'LocalInvitationAccepted', '');
    expect(sut.store.get().outgoing!.state).toBe('ACCEPTED_BY_REMOTE');
    await sut.call('carol', '', '');
    client.invitations[1]!.step('FAILURE', 'LocalInvitationFailure', 'PEER_OFFLINE');
    expect(sut.store.get().outgoing).toEqual({ callee: 'carol', state: 'FAILURE: PEER_OFFLINE' });

    const incoming = client.invite('dave', 'hello');
    expect(sut.store.get().incoming).toEqual({ caller: 'dave', content: 'hello', channelId: '', state: 'INVITATION_RECEIVED' });
    await sut.answer(true, 'on my way');
    expect(incoming.response).toBe('on my way');
    expect(sut.store.get().incoming!.state).toBe('ACCEPT_SENT_TO_LOCAL');
    incoming.state = 'ACCEPTED';
    incoming.emit('RemoteInvitationAccepted');
    expect(sut.store.get().incoming!.state).toBe('ACCEPTED');
  });

  it('sets, adds, deletes and replaces the local user attributes', async () => {
    const { sut } = await loggedIn();
    await sut.localAttributes('set', 'mood', 'calm');
    await sut.localAttributes('set', 'city', 'Oslo');
    expect(sut.store.get().localAttributes).toEqual({ mood: 'calm', city: 'Oslo' });
    await sut.localAttributes('replace', 'lang', 'no');
    expect(sut.store.get().localAttributes).toEqual({ lang: 'no' });
  });

  it('uploads a file with progress and sends it to the peer', async () => {
    const { sut, client } = await loggedIn();
    await sut.media.upload(new File(['hello'], 'notes.txt', { type: 'text/plain' }), 'bob', false);
    expect(client.calls).toContain('upload FILE notes.txt');
    expect(client.calls).toContain(
      'send bob {"messageType":"FILE","fileName":"notes.txt","size":5,"mediaId":"media-notes.txt"} {"enableOfflineMessaging":true}',
    );
    expect(sut.store.get().upload).toEqual({ name: 'notes.txt', current: 5, total: 5, phase: 'sent' });
    expect(sut.store.get().sent.map((m) => [m.text, m.result])).toEqual([['[FILE] notes.txt', 'PEER_RECEIVED']]);
  });

  it('cancels an upload (cancelSignal) and shows it canceled', async () => {
    const { sut, client } = await loggedIn((c) => void (c.uploadGate = new Promise<void>(() => undefined)));
    const uploading = sut.media.upload(new File(['x'.repeat(10)], 'big.bin'), 'bob', false);
    await new Promise((r) => setTimeout(r, 0));
    expect(sut.store.get().upload).toMatchObject({ current: 1, total: 10, phase: 'uploading' });
    sut.media.cancelUpload();
    await uploading;
    expect(sut.store.get().upload).toMatchObject({ phase: 'canceled' });
    expect(sut.store.get().error).toBe('Upload failed: RtmCanceledError (code 6): canceled');
    expect(client.calls.filter((c) => c.startsWith('send'))).toEqual([]);
  });

  it('says "Log in first" for calls without a client', async () => {
    const sut = new PlaygroundSession(fakeClients().factory, urls());
    await sut.sendPeer('bob', 'hi', false, false);
    expect(sut.store.get().sent[0]!.result).toBe('Failed: NotLoggedIn');
    await sut.subscribe(['bob']);
    expect(sut.store.get().error).toBe('Subscribe failed: NotLoggedIn: Log in first.');
  });
});
