import { randomBytes } from 'node:crypto';
import { InvitationState, ParleyError, PeerState, type AppId, type InvitationSnapshot } from '@parley/contracts';
import { Subjects, UserMsgKind, type StatusChange, type StatusSnapshotRequest } from '@parley/contracts/internal';
import { connectNatsClients, PrismaService, type NatsBus, type NatsClients } from '@parley/platform';
import { testDatabaseUrl } from '@parley/testing';
import { readInvitationConfig } from '../src/config/invitation.config';
import { InvitationNotifier } from '../src/invitations/invitation-notifier';
import { InvitationWatchService } from '../src/invitations/invitation-watch.service';
import { InvitationsRepository } from '../src/invitations/invitations.repository';
import { InvitationsService } from '../src/invitations/invitations.service';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** One replica of the invitation service: its own NATS connection and database pool. */
export interface Replica {
  service: InvitationsService;
  watch: InvitationWatchService;
  prisma: PrismaService;
  nats: NatsClients;
}

/** What an invitation looks like in the table (the columns a snapshot does not carry). */
export interface StoredRow {
  state: string;
  reason: string | null;
  response: string;
  deadline_in_ms: number | null;
  ended: boolean;
}

/** An `app_events` row of the harness's app, as the invitation service writes it (`ts` Unix ms). */
export interface EventRow {
  kind: string;
  type: string;
  uid: string;
  channel_id: string | null;
  ts: number;
  detail: Record<string, unknown> | null;
}

/** The order of states a client moves through; a snapshot not ahead of what it knows is ignored. */
export function rank(state: InvitationState): number {
  switch (state) {
    case InvitationState.SENT:
      return 0;
    case InvitationState.RECEIVED:
      return 1;
    case InvitationState.ACCEPT_PENDING:
      return 2;
    case InvitationState.ACCEPTED:
    case InvitationState.REFUSED:
    case InvitationState.CANCELED:
    case InvitationState.FAILED:
      return 3;
  }
}

/** What a client following the contract ends up with after these pushes, in arrival order. */
export function settled(pushes: readonly InvitationSnapshot[]): InvitationSnapshot | undefined {
  let known: InvitationSnapshot | undefined;
  for (const s of pushes) if (!known || rank(s.state) > rank(known.state)) known = s;
  return known;
}

export async function rejection(p: Promise<unknown>): Promise<number> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ParleyError);
  return (err as ParleyError).code;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The surroundings of the invitation service in a "medium" test: the real Postgres test database and
 * NATS, a presence stand-in answering the statuses request for this test's app, and listeners on
 * users' subjects. Everything is scoped to one fresh app id and the test run's subject prefix.
 *
 * The invitations live in a schema of the harness's own (a copy of the migrated table): sweepers of
 * other test runs and stacks on the same database (which push on their own subject prefix) never end
 * these invitations, and these tests' fast sweepers never end theirs. So does the event record
 * (`app_events`, a copy too): these tests' retention sweeps delete nobody else's events.
 */
export class InvitationHarness {
  readonly appId = randomBytes(16).toString('hex') as AppId;
  readonly schema = `invtest_${randomBytes(6).toString('hex')}`;
  /** The test database, with the harness's schema first on the search path. */
  readonly databaseUrl: string;
  /** What the presence stand-in answers for a uid (ONLINE unless set). */
  readonly states = new Map<string, PeerState>();
  /** Presence statuses requests seen (uids asked). */
  readonly presenceAsked: string[] = [];
  private readonly pushes = new Map<string, InvitationSnapshot[]>();
  private readonly replicas: Replica[] = [];
  /** A connection to the harness's schema. */
  prisma!: PrismaService;
  private nats!: NatsClients;
  private bus!: NatsBus;

  private constructor() {
    const url = new URL(testDatabaseUrl());
    url.searchParams.set('options', `-c search_path=${this.schema}`);
    this.databaseUrl = url.toString();
  }

  static async start(): Promise<InvitationHarness> {
    const h = new InvitationHarness();
    const admin = new PrismaService(testDatabaseUrl());
    try {
      await admin.$executeRawUnsafe(`CREATE SCHEMA ${h.schema}`);
      await admin.$executeRawUnsafe(`CREATE TABLE ${h.schema}.invitations (LIKE public.invitations INCLUDING ALL)`);
      await admin.$executeRawUnsafe(`CREATE TABLE ${h.schema}.app_events (LIKE public.app_events INCLUDING ALL)`);
    } finally {
      await admin.$disconnect();
    }
    h.prisma = new PrismaService(h.databaseUrl);
    h.nats = await connectNatsClients({ servers: NATS_URL, name: 'invitation-test' });
    h.bus = h.nats.bus;
    // presence, as far as the invitation service asks it: the states this harness was told
    h.bus.serve(
      Subjects.presence.statuses,
      (data) => {
        const req = data as StatusSnapshotRequest;
        h.presenceAsked.push(...req.uids);
        const states = req.uids.map((uid) => h.states.get(uid) ?? PeerState.ONLINE);
        return { states, seqs: states.map(() => 1) };
      },
      { accepts: (data) => (data as StatusSnapshotRequest)?.appId === h.appId }, // another harness's app: not ours to answer
    );
    await h.bus.flush();
    return h;
  }

  /** A replica with these settings (strings, as in the environment); `bootstrap` starts its sweeper and status listener. */
  async replica(env: NodeJS.ProcessEnv = {}, bootstrap = false): Promise<Replica> {
    const config = readInvitationConfig(env);
    const prisma = new PrismaService(this.databaseUrl);
    const nats = await connectNatsClients({ servers: NATS_URL, name: `invitation-test-replica-${this.replicas.length}` });
    const repository = new InvitationsRepository(prisma);
    const notifier = new InvitationNotifier(nats.bus);
    const watch = new InvitationWatchService(repository, notifier, nats.bus, config);
    const replica: Replica = {
      service: new InvitationsService(repository, notifier, watch, nats.services, config),
      watch,
      prisma,
      nats,
    };
    if (bootstrap) replica.watch.onApplicationBootstrap();
    this.replicas.push(replica);
    await nats.bus.flush();
    return replica;
  }

  /** Starts recording what is published on these users' subjects. */
  async listen(...uids: string[]): Promise<void> {
    for (const uid of uids) {
      if (this.pushes.has(uid)) continue;
      const got: InvitationSnapshot[] = [];
      this.pushes.set(uid, got);
      this.bus.subscribe(Subjects.user(this.appId, uid), (body) => {
        const [kind, snapshot] = body as [number, InvitationSnapshot];
        // Anything else on a user subject fails the test's expectations.
        got.push(kind === UserMsgKind.INVITATION ? snapshot : ({ kind } as unknown as InvitationSnapshot));
      });
    }
    await this.bus.flush();
  }

  /** Snapshots pushed to the uid (of one invitation when `id` is given), in arrival order. */
  pushed(uid: string, id?: string): InvitationSnapshot[] {
    const all = this.pushes.get(uid);
    if (!all) throw new Error(`not listening to ${uid}`);
    return id === undefined ? [...all] : all.filter((s) => s.id === id);
  }

  /** Waits until every published message so far has reached the listeners. */
  async settle(): Promise<void> {
    for (const r of this.replicas) if (!r.nats.bus.closed) await r.nats.bus.flush();
    await this.bus.flush();
  }

  /** Publishes a status change as presence does. */
  async status(uid: string, state: PeerState, seq = 1): Promise<void> {
    const change: StatusChange = [uid, state, seq];
    this.bus.publish(Subjects.status(this.appId, uid), change);
    await this.bus.flush();
  }

  async row(caller: string, id: string): Promise<StoredRow | undefined> {
    const [row] = await this.prisma.$queryRaw<StoredRow[]>`
      SELECT state, reason, response, ended_at IS NOT NULL AS ended,
        (extract(epoch FROM deadline - now()) * 1000)::float8 AS deadline_in_ms
      FROM invitations WHERE app_id = ${this.appId} AND caller_uid = ${caller} AND id = ${id}`;
    return row;
  }

  async count(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM invitations WHERE app_id = ${this.appId}`;
    return row!.n;
  }

  /** The event record's rows of the harness's app (of the caller's invitation `id` when given), in `seq` order. */
  async events(caller?: string, id?: string): Promise<EventRow[]> {
    const rows = await this.prisma.$queryRaw<EventRow[]>`
      SELECT kind, type, uid, channel_id, floor(extract(epoch FROM ts) * 1000)::float8 AS ts, detail
      FROM app_events WHERE app_id = ${this.appId} ORDER BY seq`;
    return rows.filter((r) => (caller === undefined || r.uid === caller) && (id === undefined || r.detail?.['id'] === id));
  }

  /** Moves an invitation's end (and last change) into the past. */
  async endedAgo(caller: string, id: string, ms: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE invitations SET ended_at = now() - ${ms}::float8 * interval '1 millisecond'
      WHERE app_id = ${this.appId} AND caller_uid = ${caller} AND id = ${id}`;
  }

  async stop(): Promise<void> {
    for (const r of this.replicas) await r.watch.beforeApplicationShutdown();
    for (const r of this.replicas) {
      await r.nats.close();
      await r.prisma.$disconnect();
    }
    await this.nats.close();
    await this.prisma.$executeRawUnsafe(`DROP SCHEMA ${this.schema} CASCADE`);
    await this.prisma.$disconnect();
  }
}
