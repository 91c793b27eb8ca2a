import { Injectable } from '@nestjs/common';
import type { AppId, Uid } from '@parley/contracts';
import { PrismaService } from '@parley/platform';

export interface OfflineRow {
  appId: AppId;
  uid: Uid;
  fromUid: Uid;
  messageId: string;
  payload: Uint8Array;
  expiresAt: Date;
}

/** Offline peer messages in Postgres. */
@Injectable()
export class OfflineRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts a batch and trims each of its receivers to their newest `maxPerUser`, in one transaction of two statements. */
  async storeMany(rows: OfflineRow[], maxPerUser: number): Promise<void> {
    const receivers = new Map<string, { appId: AppId; uid: Uid }>();
    for (const r of rows) receivers.set(`${r.appId}/${r.uid}`, { appId: r.appId, uid: r.uid });
    const appIds = [...receivers.values()].map((r) => r.appId as string);
    const uids = [...receivers.values()].map((r) => r.uid as string);
    await this.prisma.$transaction([
      this.prisma.offlineMessage.createMany({
        data: rows.map((r) => ({
          appId: r.appId,
          uid: r.uid,
          fromUid: r.fromUid,
          messageId: r.messageId,
          payload: Buffer.from(r.payload),
          expiresAt: r.expiresAt,
        })),
        skipDuplicates: true, // a resend of a message already stored
      }),
      this.prisma.$executeRaw`
        DELETE FROM offline_messages o USING (
          SELECT seq FROM (
            SELECT m.seq, row_number() OVER (PARTITION BY m.app_id, m.uid ORDER BY m.seq DESC) AS newest
            FROM offline_messages m
            JOIN unnest(${appIds}::text[], ${uids}::text[]) AS r(app_id, uid) ON m.app_id = r.app_id AND m.uid = r.uid
          ) ranked WHERE ranked.newest > ${maxPerUser}
        ) old WHERE o.seq = old.seq`,
    ]);
  }

  async fetch(appId: AppId, uid: Uid, limit: number): Promise<{ seq: number; payload: Uint8Array }[]> {
    const rows = await this.prisma.offlineMessage.findMany({
      where: { appId, uid, expiresAt: { gt: new Date() } },
      orderBy: { seq: 'asc' },
      take: limit,
      select: { seq: true, payload: true },
    });
    return rows.map((r) => ({ seq: Number(r.seq), payload: r.payload }));
  }

  async remove(appId: AppId, uid: Uid, seqs: number[]): Promise<number> {
    const { count } = await this.prisma.offlineMessage.deleteMany({ where: { appId, uid, seq: { in: seqs.map(BigInt) } } });
    return count;
  }

  /** Messages waiting for their receivers, all apps (expired ones until the sweep deletes them). */
  async count(): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM offline_messages`;
    return row?.n ?? 0;
  }

  async deleteExpired(): Promise<number> {
    return this.prisma.$executeRaw`
      DELETE FROM offline_messages WHERE seq IN (SELECT seq FROM offline_messages WHERE expires_at <= now() LIMIT 10000)`;
  }
}
