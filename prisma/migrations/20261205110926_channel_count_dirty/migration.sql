-- A member count change is marked by a flag instead of count_changed_at > count_published_at: a
-- change whose transaction began before the leader's publication (now() is the transaction's start,
-- kept to the millisecond) but committed after it was older than count_published_at, and its count
-- was never published.
-- AlterTable
ALTER TABLE "channels" ADD COLUMN     "count_dirty" BOOLEAN NOT NULL DEFAULT true,
ALTER COLUMN "count_published_at" SET DEFAULT 'epoch'::timestamptz;

-- Rows already published stay clean; the others are published by the leader's next tick.
UPDATE "channels" SET "count_dirty" = ("count_changed_at" > "count_published_at");

-- CreateIndex
CREATE INDEX "channels_count_dirty_count_published_at_idx" ON "channels"("count_dirty", "count_published_at");
