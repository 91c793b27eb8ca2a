import { freePorts, startTestS3, waitFor, type TestS3 } from '@parley/testing';
import type { Page } from 'playwright-core';
import { FAST_TIMERS, useBrowserSuite, type TestPage } from './support';

const ADMIN_TOKEN = 'console-browser-admin-token-0123456789';

/**
 * The web console as a user opens it: served by each gateway at /console/, talking to that gateway
 * with the SDK and to the server API with the admin token. Two gateways, media on a real S3 server.
 */
describe('web console', () => {
  let s3: TestS3 | undefined;
  const suite = useBrowserSuite(async () => {
    s3 = await startTestS3();
    const [g0, g1, api] = (await freePorts(3)) as [number, number, number];
    return {
      replicas: { media: 1 },
      ports: { gateway: [g0, g1], api: [api] },
      env: { ...FAST_TIMERS, HEARTBEAT_MS: '5000', GATEWAY_HEARTBEAT_MS: '1000' },
      appEnv: {
        media: s3.env,
        api: { ADMIN_TOKEN, API_CORS_ORIGINS: `http://127.0.0.1:${g0},http://127.0.0.1:${g1}` },
        gateway: { CONSOLE_API_URL: `http://127.0.0.1:${api}` },
      },
    };
  });
  afterAll(() => s3?.stop());

  const state = (page: Page) => page.getByTestId('connection-state');

  /** The console of gateway `gateway`, logged in as `uid` on the suite's app. */
  async function console_(name: string, uid: string, gateway: number): Promise<TestPage> {
    const tp = await suite.openPage(name, `${suite.gatewayHttpUrls[gateway]}/console/`);
    const { page } = tp;
    await page.getByLabel('App ID', { exact: true }).fill(suite.app.appId);
    await page.getByLabel('User ID', { exact: true }).fill(uid);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await state(page)
      .filter({ hasText: /^CONNECTED$/ })
      .waitFor({ timeout: 20_000 });
    return tp;
  }

  async function sendPeer(page: Page, to: string, text: string, offline = false): Promise<void> {
    await page.getByLabel('Peer ID', { exact: true }).fill(to);
    await page.getByLabel('Message', { exact: true }).fill(text);
    const box = page.getByLabel('Offline messaging', { exact: true });
    if ((await box.isChecked()) !== offline) await box.click();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
  }

  it('serves the page from every gateway; two tabs on two gateways chat with delivery results', async () => {
    const alice = await console_('console-alice', 'alice', 0);
    const bob = await console_('console-bob', 'bob', 1);
    await sendPeer(alice.page, 'bob', 'hello bob');
    await alice.page.getByTestId('sent-message').filter({ hasText: 'hello bob' }).filter({ hasText: 'PEER_RECEIVED' }).waitFor({ timeout: 15_000 });
    await bob.page.getByTestId('peer-message').filter({ hasText: 'hello bob' }).waitFor({ timeout: 15_000 });
    await sendPeer(bob.page, 'alice', 'hi alice');
    await alice.page.getByTestId('peer-message').filter({ hasText: 'hi alice' }).waitFor({ timeout: 15_000 });
    // A peer who is not there: the result says so.
    await sendPeer(alice.page, 'nobody', 'anyone?', true);
    await alice.page.getByTestId('sent-message').filter({ hasText: 'anyone?' }).filter({ hasText: 'CACHED_BY_SERVER' }).waitFor({ timeout: 15_000 });
    await alice.screenshot('console-peer-chat-alice');
    await bob.screenshot('console-peer-chat-bob');
  });

  it('a channel with three pages: members, count and messages', async () => {
    const pages = [await console_('console-c1', 'carol', 0), await console_('console-c2', 'dave', 1), await console_('console-c3', 'erin', 0)];
    for (const { page } of pages) {
      await page.getByRole('textbox', { name: 'Channel', exact: true }).fill('lobby');
      await page.getByRole('button', { name: 'Join', exact: true }).click();
    }
    for (const { page } of pages) {
      await waitFor(async () => (await page.getByTestId('channel-members').locator('li').count()) === 3, { timeoutMs: 20_000, what: 'three members' });
      await page.getByTestId('member-count').filter({ hasText: '3' }).waitFor({ timeout: 20_000 });
    }
    await pages[1]!.page.getByLabel('Channel message', { exact: true }).fill('hello lobby');
    await pages[1]!.page.getByRole('button', { name: 'Send to channel', exact: true }).click();
    for (const { page } of [pages[0]!, pages[2]!]) await page.getByTestId('channel-message').filter({ hasText: 'hello lobby' }).waitFor({ timeout: 15_000 });
    await pages[2]!.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await waitFor(async () => (await pages[0]!.page.getByTestId('channel-members').locator('li').count()) === 2, { timeoutMs: 20_000, what: 'erin left' });
    for (const [i, tp] of pages.entries()) await tp.screenshot(`console-channel-${i + 1}`);
  });

  it('a call invitation accepted', async () => {
    const caller = await console_('console-caller', 'frank', 0);
    const callee = await console_('console-callee', 'grace', 1);
    await caller.page.getByLabel('Callee', { exact: true }).fill('grace');
    await caller.page.getByRole('button', { name: 'Call', exact: true }).click();
    const incoming = callee.page.getByTestId('incoming-invitation');
    await incoming.waitFor({ timeout: 15_000 });
    await callee.screenshot('console-invitation-incoming');
    await incoming.getByRole('button', { name: 'Accept', exact: true }).click();
    await caller.page.getByTestId('invitation-state').filter({ hasText: 'ACCEPTED' }).waitFor({ timeout: 15_000 });
    await caller.screenshot('console-invitation-accepted');
  });

  it('a file uploaded with a progress bar, and downloaded by the receiver', async () => {
    const sender = await console_('console-file-sender', 'heidi', 0);
    const receiver = await console_('console-file-receiver', 'ivan', 1);
    await sender.page.getByLabel('Peer ID', { exact: true }).fill('ivan');
    const bytes = Buffer.alloc(3 * 1024 * 1024, 7);
    await sender.page.getByLabel('File', { exact: true }).setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await sender.page.getByRole('button', { name: 'Upload and send', exact: true }).click();
    const upload = sender.page.getByRole('progressbar', { name: 'Upload progress' });
    await waitFor(async () => (await upload.getAttribute('value')) !== null && Number(await upload.getAttribute('value')) > 0, {
      timeoutMs: 30_000,
      what: 'upload progress',
    });
    const file = receiver.page.getByTestId('file-message').filter({ hasText: 'report.bin' });
    await file.waitFor({ timeout: 30_000 });
    await sender.screenshot('console-file-uploaded');
    await file.getByRole('button', { name: 'Download', exact: true }).click();
    await receiver.page.getByRole('link', { name: 'Save report.bin' }).waitFor({ timeout: 30_000 });
    const download = receiver.page.getByRole('progressbar', { name: 'Download progress' });
    expect(Number(await download.getAttribute('value'))).toBeGreaterThan(0);
    await receiver.screenshot('console-file-downloaded');
  });

  it('shows RECONNECTING while the browser is offline, then CONNECTED with what it missed', async () => {
    const roamer = await console_('console-roamer', 'judy', 0);
    const sender = await console_('console-sender', 'ken', 1);
    await roamer.context.setOffline(true);
    await state(roamer.page)
      .filter({ hasText: /^RECONNECTING$/ })
      .waitFor({ timeout: 20_000 });
    await roamer.screenshot('console-offline-reconnecting');
    await sendPeer(sender.page, 'judy', 'while you were away', true);
    await sender.page
      .getByTestId('sent-message')
      .filter({ hasText: 'while you were away' })
      .filter({ hasText: 'CACHED_BY_SERVER' })
      .waitFor({ timeout: 15_000 });
    await roamer.context.setOffline(false);
    await state(roamer.page)
      .filter({ hasText: /^CONNECTED$/ })
      .waitFor({ timeout: 30_000 });
    await roamer.page.getByTestId('peer-message').filter({ hasText: 'while you were away' }).waitFor({ timeout: 20_000 });
    await roamer.screenshot('console-offline-recovered');
  });

  it('operator view: live counts and a user lookup with the admin token', async () => {
    await console_('console-online-user', 'leo', 1);
    const op = await suite.openPage('console-operator', `${suite.gatewayHttpUrls[0]}/console/`);
    await op.page.getByRole('tab', { name: 'Settings' }).click();
    await op.page.getByLabel('Admin token', { exact: true }).fill(ADMIN_TOKEN);
    await op.page.getByRole('tab', { name: 'Operator' }).click();
    const online = op.page.getByTestId('stats-sessions-online');
    await waitFor(async () => Number((await online.textContent())?.replace(/\D/g, '') || 0) >= 1, { timeoutMs: 20_000, what: 'sessions online ≥ 1' });
    await op.page.getByLabel('Operator app ID', { exact: true }).fill(suite.app.appId);
    await op.page.getByLabel('User to look up', { exact: true }).fill('leo');
    await op.page.getByRole('button', { name: 'Look up user', exact: true }).click();
    await op.page
      .getByTestId('user-status')
      .filter({ hasText: /^ONLINE$/ })
      .waitFor({ timeout: 15_000 });
    await op.page.getByLabel('Channel to look up', { exact: true }).fill('lobby');
    await op.page.getByRole('button', { name: 'Look up channel', exact: true }).click();
    await op.page.getByTestId('channel-lookup').waitFor({ timeout: 15_000 });
    await op.screenshot('console-operator');
  });
});
