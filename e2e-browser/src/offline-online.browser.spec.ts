import { waitFor } from '@parley/testing';
import { FAST_TIMERS, useBrowserSuite, type RecordedEvent, type TestPage } from './support';

/**
 * A page whose browser goes offline and comes back. Chromium's offline mode (context.setOffline)
 * does not close a WebSocket that is already open — it just goes silent — so the SDK listens to the
 * browser's `offline` / `online` events. A long heartbeat (11 s to declare the link dead) makes sure
 * the events, not the heartbeat, did it here.
 */
describe('a page that goes offline and online again', () => {
  const suite = useBrowserSuite({ env: { ...FAST_TIMERS, HEARTBEAT_MS: '5000', GATEWAY_HEARTBEAT_MS: '5000' } });

  async function loggedIn(name: string, gateway: number): Promise<TestPage> {
    const tp = await suite.openSdkPage(name, gateway);
    await tp.page.evaluate(({ appId, uid }) => window.rec.client(uid, appId).login({ uid }), { appId: suite.app.appId, uid: name });
    return tp;
  }

  const states = async (tp: TestPage, who: string): Promise<string[]> =>
    (await tp.page.evaluate((w) => window.rec.of(w, 'ConnectionStateChanged'), who)).map((e: RecordedEvent) => e.args.join('/'));

  it('goes RECONNECTING at once, and on reconnect receives what was sent to it meanwhile', async () => {
    const roamer = await loggedIn('roamer', 0);
    const sender = await loggedIn('sender', 1);

    await roamer.context.setOffline(true);
    await waitFor(async () => (await states(roamer, 'roamer')).includes('RECONNECTING/INTERRUPTED'), { timeoutMs: 20_000, what: 'RECONNECTING' });
    expect(roamer.log.join('\n')).toContain('connection lost: the browser went offline');
    expect(roamer.log.join('\n')).not.toContain('heartbeat timeout');
    await roamer.screenshot('offline-reconnecting');

    const results = [];
    for (const text of ['missed 1', 'missed 2', 'missed 3']) {
      results.push(
        await sender.page.evaluate((t) => window.rec.clients['sender']!.sendMessageToPeer({ text: t }, 'roamer', { enableOfflineMessaging: true }), text),
      );
    }
    for (const r of results) expect(r).toMatchObject({ hasPeerReceived: false, deliveryState: 'CACHED_BY_SERVER' });
    expect(await roamer.page.evaluate(() => window.rec.of('roamer', 'MessageFromPeer'))).toEqual([]);

    await roamer.context.setOffline(false);
    await waitFor(async () => (await states(roamer, 'roamer')).at(-1) === 'CONNECTED/LOGIN_SUCCESS', { timeoutMs: 20_000, what: 'CONNECTED again' });
    expect(await states(roamer, 'roamer')).toEqual(['CONNECTING/LOGIN', 'CONNECTED/LOGIN_SUCCESS', 'RECONNECTING/INTERRUPTED', 'CONNECTED/LOGIN_SUCCESS']);

    let got: RecordedEvent[] = [];
    await waitFor(
      async () => {
        got = await roamer.page.evaluate(() => window.rec.of('roamer', 'MessageFromPeer'));
        return got.length >= 3;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `the 3 missed messages (got ${JSON.stringify(got)})` },
    );
    expect(got.map((e) => [(e.args[0] as { text: string }).text, e.args[1], (e.args[2] as { isOfflineMessage: boolean }).isOfflineMessage])).toEqual([
      ['missed 1', 'sender', true],
      ['missed 2', 'sender', true],
      ['missed 3', 'sender', true],
    ]);

    // Back to normal: a live message both ways.
    expect(await roamer.page.evaluate(() => window.rec.clients['roamer']!.sendMessageToPeer({ text: 'back' }, 'sender'))).toMatchObject({
      hasPeerReceived: true,
    });
    expect(await sender.page.evaluate(() => window.rec.clients['sender']!.sendMessageToPeer({ text: 'welcome back' }, 'roamer'))).toMatchObject({
      hasPeerReceived: true,
    });
    await roamer.screenshot('offline-online-recovered');
  });
});
