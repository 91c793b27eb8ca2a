import AgoraRTM from '@parley/sdk';
import { waitFor } from '@parley/testing';
import { useBrowserSuite, type RecordedEvent, type TestPage } from './support';

/** The SDK as a plain web page uses it: a script tag, window.AgoraRTM, two pages on two gateways. */
describe('the SDK in a browser, loaded by a script tag', () => {
  const suite = useBrowserSuite();

  /** A page on gateway `gateway` with a client `uid` (recorded as `uid`), logged in. */
  async function loggedIn(name: string, gateway: number, uid = name): Promise<TestPage> {
    const tp = await suite.openSdkPage(name, gateway);
    await tp.page.evaluate(({ appId, uid }) => window.rec.client(uid, appId).login({ uid }), { appId: suite.app.appId, uid });
    return tp;
  }

  function events(tp: TestPage, who: string, event?: string): Promise<RecordedEvent[]> {
    return tp.page.evaluate(([w, e]) => window.rec.of(w!, e), [who, event] as const);
  }

  async function until(tp: TestPage, who: string, event: string, check: (seen: RecordedEvent[]) => boolean, what: string, timeoutMs = 15_000) {
    let seen: RecordedEvent[] = [];
    await waitFor(
      async () => {
        seen = await events(tp, who, event);
        return check(seen);
      },
      { timeoutMs, intervalMs: 100, what: `${what} (${who} saw ${JSON.stringify(seen)})` },
    );
    return seen;
  }

  it('exchanges a peer message between two pages on different gateways', async () => {
    const alice = await loggedIn('alice', 0);
    const bob = await loggedIn('bob', 1);
    expect(await alice.page.evaluate(() => typeof window.AgoraRTM.createInstance)).toBe('function');

    const result = await alice.page.evaluate(() => window.rec.clients['alice']!.sendMessageToPeer({ text: 'hello from page A' }, 'bob'));
    expect(result).toMatchObject({ hasPeerReceived: true });
    const got = await until(bob, 'bob', 'MessageFromPeer', (s) => s.length === 1, 'MessageFromPeer');
    expect(got[0]!.args).toEqual([
      expect.objectContaining({ text: 'hello from page A', messageType: 'TEXT' }),
      'alice',
      expect.objectContaining({ isOfflineMessage: false }),
    ]);
    await alice.screenshot('sdk-peer-message-sender');
    await bob.screenshot('sdk-peer-message-receiver');
  });

  it('reports login and logout as ConnectionStateChanged, in order', async () => {
    const page = await loggedIn('states', 0);
    await page.page.evaluate(() => window.rec.clients['states']!.logout());
    const states = (await events(page, 'states', 'ConnectionStateChanged')).map((e) => e.args);
    expect(states).toEqual([
      ['CONNECTING', 'LOGIN'],
      ['CONNECTED', 'LOGIN_SUCCESS'],
      ['DISCONNECTED', 'LOGOUT'],
    ]);
  });

  it('stores a message for a logged-out peer (CACHED_BY_SERVER) and delivers it at its login, as an offline message', async () => {
    const sender = await loggedIn('sender', 0);
    const result = await sender.page.evaluate(() =>
      window.rec.clients['sender']!.sendMessageToPeer({ text: 'while you were away' }, 'sleeper', { enableOfflineMessaging: true }),
    );
    expect(result).toMatchObject({ hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' });
    const sleeper = await loggedIn('sleeper', 1);
    const got = await until(sleeper, 'sleeper', 'MessageFromPeer', (s) => s.length === 1, 'the stored message');
    expect(got[0]!.args).toEqual([expect.objectContaining({ text: 'while you were away' }), 'sender', expect.objectContaining({ isOfflineMessage: true })]);
  });

  it('joins a channel from two pages: members, MemberJoined, channel message and MemberCountUpdated', async () => {
    const ann = await loggedIn('ann', 0);
    const ben = await loggedIn('ben', 1);
    await ann.page.evaluate(() => window.rec.channel('ann-lobby', window.rec.clients['ann']!, 'lobby').join());
    await ben.page.evaluate(() => window.rec.channel('ben-lobby', window.rec.clients['ben']!, 'lobby').join());
    await until(ann, 'ann-lobby', 'MemberJoined', (s) => s.some((e) => e.args[0] === 'ben'), 'MemberJoined ben');
    expect((await ben.page.evaluate(() => window.rec.channels['ben-lobby']!.getMembers())).sort()).toEqual(['ann', 'ben']);
    await until(ann, 'ann-lobby', 'MemberCountUpdated', (s) => s.at(-1)?.args[0] === 2, 'member count 2');

    await ann.page.evaluate(() => window.rec.channels['ann-lobby']!.sendMessage({ text: 'hello lobby' }));
    const got = await until(ben, 'ben-lobby', 'ChannelMessage', (s) => s.length === 1, 'ChannelMessage');
    expect(got[0]!.args.slice(0, 2)).toEqual([expect.objectContaining({ text: 'hello lobby', messageType: 'TEXT' }), 'ann']);
    expect(await events(ann, 'ann-lobby', 'ChannelMessage')).toEqual([]); // not to the sender

    await ben.page.evaluate(() => window.rec.channels['ben-lobby']!.leave());
    await until(ann, 'ann-lobby', 'MemberLeft', (s) => s.some((e) => e.args[0] === 'ben'), 'MemberLeft ben');
    await until(ann, 'ann-lobby', 'MemberCountUpdated', (s) => s.at(-1)?.args[0] === 1, 'member count 1');
    await ann.screenshot('sdk-channel');
  });

  it('reports subscribed online status: the current state first, then each change', async () => {
    const watcher = await loggedIn('watcher', 0);
    await loggedIn('present', 1);
    await watcher.page.evaluate(() => window.rec.clients['watcher']!.subscribePeersOnlineStatus(['present', 'later']));
    await until(watcher, 'watcher', 'PeersOnlineStatusChanged', (s) => s.length >= 1, 'the first status');
    const later = await loggedIn('later', 1);
    await until(watcher, 'watcher', 'PeersOnlineStatusChanged', (s) => s.some((e) => JSON.stringify(e.args[0]) === '{"later":"ONLINE"}'), 'later ONLINE');
    await later.page.evaluate(() => window.rec.clients['later']!.logout());
    const seen = await until(
      watcher,
      'watcher',
      'PeersOnlineStatusChanged',
      (s) => s.some((e) => JSON.stringify(e.args[0]) === '{"later":"OFFLINE"}'),
      'later OFFLINE',
    );
    expect(seen.map((e) => e.args[0])).toEqual([{ present: 'ONLINE', later: 'OFFLINE' }, { later: 'ONLINE' }, { later: 'OFFLINE' }]);
  });

  it('sets user attributes in one page and reads them from the other', async () => {
    const owner = await loggedIn('owner', 0);
    const reader = await loggedIn('reader', 1);
    await owner.page.evaluate(() => window.rec.clients['owner']!.setLocalUserAttributes({ mood: 'happy', city: 'Oslo', ключ: 'значение' }));
    expect(await reader.page.evaluate(() => window.rec.clients['reader']!.getUserAttributes('owner'))).toEqual({
      mood: 'happy',
      city: 'Oslo',
      ключ: 'значение',
    });
    await owner.page.evaluate(() => window.rec.clients['owner']!.addOrUpdateLocalUserAttributes({ mood: 'calm' }));
    expect(await reader.page.evaluate(() => window.rec.clients['reader']!.getUserAttributesByKeys('owner', ['mood', 'missing']))).toEqual({ mood: 'calm' });
  });

  it('rejects with the same error names and codes as the SDK in Node', async () => {
    const page = await loggedIn('errors', 0);
    const inPage = await page.page.evaluate(async () => {
      const client = window.rec.clients['errors']!;
      const caught = (p: Promise<unknown>) =>
        p.then(
          () => null,
          (e: { name?: string; code?: number }) => ({ name: e.name, code: e.code, isError: e instanceof Error }),
        );
      const badPeer = await caught(client.sendMessageToPeer({ text: 'hi' }, ' bad'));
      const emptyKey = await caught(client.addOrUpdateLocalUserAttributes({ '': 'empty key' }));
      await client.logout();
      const loggedOut = await caught(client.queryPeersOnlineStatus(['anyone']));
      return { badPeer, emptyKey, loggedOut };
    });
    expect(inPage).toEqual({
      badPeer: { name: expect.stringMatching(/^Rtm\w+Error$/), code: 6, isError: true },
      emptyKey: { name: 'RtmInvalidArgumentError', code: 3, isError: true },
      loggedOut: { name: 'RtmInvalidStatusError', code: 102, isError: true },
    });

    // The same calls through the Node build of the SDK give the same errors.
    const node = AgoraRTM.createInstance(suite.app.appId, { serverUrl: suite.gatewayUrls[1]!, logFilter: AgoraRTM.LOG_FILTER_OFF });
    const caught = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: { name?: string; code?: number }) => ({ name: e.name, code: e.code, isError: e instanceof Error }),
      );
    try {
      await node.login({ uid: 'errors-node' });
      const badPeer = await caught(node.sendMessageToPeer({ text: 'hi' }, ' bad'));
      const emptyKey = await caught(node.addOrUpdateLocalUserAttributes({ '': 'empty key' }));
      await node.logout();
      const loggedOut = await caught(node.queryPeersOnlineStatus(['anyone']));
      expect(inPage).toEqual({ badPeer, emptyKey, loggedOut });
    } finally {
      await node.logout().catch(() => undefined);
    }
  });

  it('sends an invitation from one page that the other accepts', async () => {
    const caller = await loggedIn('caller', 0);
    const callee = await loggedIn('callee', 1);
    await caller.page.evaluate(() => {
      const inv = window.rec.invite('call', window.rec.clients['caller']!, 'callee');
      inv.content = 'call me';
      inv.channelId = 'room-1';
      inv.send();
    });
    const [received] = await until(callee, 'callee', 'RemoteInvitationReceived', (s) => s.length === 1, 'RemoteInvitationReceived');
    expect(received!.args[0]).toMatchObject({ invitation: 0, callerId: 'caller', content: 'call me', channelId: 'room-1', state: 'INVITATION_RECEIVED' });
    await until(caller, 'call', 'LocalInvitationReceivedByPeer', (s) => s.length === 1, 'received by peer');

    await callee.page.evaluate(() => {
      const ri = window.rec.remoteInvitations[0]!;
      ri.response = 'on my way';
      ri.accept();
    });
    await until(callee, 'invitation:0', 'RemoteInvitationAccepted', (s) => s.length === 1, 'RemoteInvitationAccepted');
    const accepted = await until(caller, 'call', 'LocalInvitationAccepted', (s) => s.length === 1, 'LocalInvitationAccepted');
    expect(accepted[0]!.args).toEqual(['on my way']);
    expect(await caller.page.evaluate(() => window.rec.localInvitations['call']!.state)).toBe('ACCEPTED_BY_REMOTE');
    expect(await callee.page.evaluate(() => window.rec.remoteInvitations[0]!.state)).toBe('ACCEPTED');
  });
});
