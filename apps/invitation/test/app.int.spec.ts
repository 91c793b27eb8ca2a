import type { INestApplication } from '@nestjs/common';
import { ErrorCode, InvitationState, PeerState, ParleyError, type InvitationSnapshot } from '@parley/contracts';
import { Subjects } from '@parley/contracts/internal';
import { bootstrap, connectNatsClients, type NatsClients, type ServiceClient } from '@parley/platform';
import { waitFor } from '@parley/testing';
import { AppModule } from '../src/app.module';
import { readInvitationConfig } from '../src/config/invitation.config';
import { InvitationHarness } from './invitation-harness';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** The service as it runs: AppModule started by the real bootstrap(), asked through the ServiceClient a gateway uses. */
describe('invitation service over NATS', () => {
  let h: InvitationHarness;
  let app: INestApplication;
  let nats: NatsClients;
  let client: ServiceClient;

  beforeAll(async () => {
    h = await InvitationHarness.start();
    const config = readInvitationConfig({
      DATABASE_URL: h.databaseUrl,
      NATS_URL,
      // this run's prefix (jest.config.cjs), as the app's config would carry it
      PARLEY_SUBJECT_PREFIX: process.env['PARLEY_SUBJECT_PREFIX'],
      LOG_LEVEL: 'silent',
      INVITATION_ACK_TIMEOUT_MS: '300',
      INVITATION_SWEEP_MS: '50',
    });
    // The real start-up path of main.ts (HTTP, NATS microservice with its queue group, interceptor).
    app = await bootstrap({ name: 'invitation', module: AppModule.register(config), config, microservice: true });
    nats = await connectNatsClients({ servers: NATS_URL, name: 'invitation-app-test' });
    client = nats.services;
  });

  afterAll(async () => {
    await app?.close();
    await nats?.close();
    await h?.stop();
  });

  it('answers its ping, creates, answers and syncs invitations, and sends typed errors', async () => {
    expect(await client.request(Subjects.ping('invitation'), {})).toMatchObject({ service: 'invitation' });
    await h.listen('ann', 'ben');
    const sent = await client.request<InvitationSnapshot>(Subjects.invitation.create, {
      appId: h.appId,
      caller: 'ann',
      id: 'call-1',
      callee: 'ben',
      content: 'hi',
      ch: '',
    });
    expect(sent).toMatchObject({ id: 'call-1', caller: 'ann', callee: 'ben', state: InvitationState.SENT });
    const key = { appId: h.appId, caller: 'ann', id: 'call-1' };
    expect(await client.request(Subjects.invitation.received, { ...key, uid: 'ben' })).toMatchObject({ state: InvitationState.RECEIVED });
    expect(await client.request(Subjects.invitation.accept, { ...key, uid: 'ben', response: 'yes' })).toMatchObject({
      state: InvitationState.ACCEPT_PENDING,
      response: 'yes',
    });
    const accepted = await client.request<InvitationSnapshot>(Subjects.invitation.confirmAccept, { ...key, uid: 'ann' });
    expect(accepted.state).toBe(InvitationState.ACCEPTED);
    expect(await client.request(Subjects.invitation.cancel, { ...key, uid: 'ann' })).toEqual(accepted);
    expect(await client.request(Subjects.invitation.sync, { appId: h.appId, uid: 'ben' })).toEqual([accepted]);
    // a gateway's batch of syncs: each answered on its own
    expect(
      await client.request(Subjects.invitation.syncs, {
        syncs: [
          { appId: h.appId, uid: 'ben' },
          { appId: h.appId, uid: '' },
        ],
      }),
    ).toEqual({
      results: [
        { ok: true, data: [accepted] },
        { ok: false, error: { code: ErrorCode.INVALID_ARGUMENT, message: expect.any(String) } },
      ],
    });

    const err = await client.request(Subjects.invitation.refuse, { ...key, id: 'nope', uid: 'ben' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyError);
    expect((err as ParleyError).code).toBe(ErrorCode.INVITATION_NOT_STARTED);

    await waitFor(() => h.pushed('ben', 'call-1').length === 4, { what: 'pushes' });
    expect(h.pushed('ben', 'call-1').at(-1)).toEqual(accepted);
  });

  it('runs its sweeper and its status listener', async () => {
    await h.listen('cal', 'dan', 'eve');
    const create = (caller: string, callee: string, id: string) =>
      client.request<InvitationSnapshot>(Subjects.invitation.create, { appId: h.appId, caller, id, callee, content: '', ch: '' });
    await create('cal', 'dan', 'late');
    await waitFor(() => h.pushed('dan', 'late').at(-1)?.reason === 'PEER_NO_RESPONSE', { what: 'ack timeout' });

    await create('cal', 'eve', 'offline');
    await client.request(Subjects.invitation.received, { appId: h.appId, caller: 'cal', id: 'offline', uid: 'eve' }); // expires in 60 s
    await h.status('eve', PeerState.OFFLINE);
    await waitFor(() => h.pushed('cal', 'offline').at(-1)?.reason === 'PEER_OFFLINE', { what: 'offline failure' });
  });
});
