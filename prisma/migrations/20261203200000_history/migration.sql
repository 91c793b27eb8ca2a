-- Message history (docs/architecture.md, "Message history"), owned by the history service.
-- Per-app settings live on `apps` (written by the api's admin API): store every message, retention
-- and size cap (null: the history service's defaults).
ALTER TABLE "apps"
    ADD COLUMN "history_store_all" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "history_retention_ms" BIGINT,
    ADD COLUMN "history_max_bytes" BIGINT;

-- Stored messages, partitioned by day on the server's receive time: the history service creates
-- tomorrow's partitions ahead and removes old days by dropping whole partitions (never row sweeps).
-- kind 'p' peer | 'c' channel; conv = the channel, or the two parties of a conversation in order
-- (least, E'\n', greatest) so both directions page through one index; body = the WireMessage
-- (msgpack). The primary key makes a redelivered capture insert nothing.
CREATE TABLE "history_messages" (
    "app_id" VARCHAR(32) NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "kind" CHAR(1) NOT NULL,
    "src" VARCHAR(64) NOT NULL,
    "dst" VARCHAR(64) NOT NULL,
    "conv" VARCHAR(129) NOT NULL,
    "msg_id" VARCHAR(128) NOT NULL,
    "mtype" SMALLINT NOT NULL,
    "body" BYTEA NOT NULL,
    "bytes" INTEGER NOT NULL,

    CONSTRAINT "history_messages_pkey" PRIMARY KEY ("app_id", "kind", "conv", "ts", "src", "msg_id")
) PARTITION BY RANGE ("ts");

-- Agora 1.x's filters: by sender, by destination (receiver or channel), both; all within times.
CREATE INDEX "history_messages_src_idx" ON "history_messages" ("app_id", "src", "ts");
CREATE INDEX "history_messages_dst_idx" ON "history_messages" ("app_id", "dst", "ts");

-- Bytes stored per app and hour: the size cap hides an app's oldest hours (history_cutoffs) instead
-- of deleting rows; the partitions that hold them go with the retention.
CREATE TABLE "history_usage" (
    "app_id" VARCHAR(32) NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "messages" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "history_usage_pkey" PRIMARY KEY ("app_id", "hour")
);

-- Per app: nothing older than `visible_from` is returned (its size cap moved it forward).
CREATE TABLE "history_cutoffs" (
    "app_id" VARCHAR(32) NOT NULL,
    "visible_from" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "history_cutoffs_pkey" PRIMARY KEY ("app_id")
);
