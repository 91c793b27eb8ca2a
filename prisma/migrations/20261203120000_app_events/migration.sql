-- The event record (docs/architecture.md, "Event record"): logins/logouts (kind 'user', written by
-- presence) and channel joins/leaves (kind 'channel', written by the channel service), each inserted
-- by the statement that made the change, so none is lost or invented whatever process dies.
-- "xid" is the writing transaction: consumers read only events of transactions older than every
-- transaction still running (pg_snapshot_xmin), in (xid, seq) order, so an event whose transaction
-- commits after a newer one's is never passed over by a cursor.
CREATE TABLE "app_events" (
    "seq" BIGSERIAL NOT NULL,
    "xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    "app_id" VARCHAR(32) NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "type" VARCHAR(8) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "channel_id" VARCHAR(64),
    "ts" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "app_events_pkey" PRIMARY KEY ("seq")
);

-- One row per (consumer, app, kind): how far that consumer has read ('pull': Agora's pull queues).
-- Takers of one queue serialise on its row's lock.
CREATE TABLE "event_cursors" (
    "consumer" VARCHAR(16) NOT NULL,
    "app_id" VARCHAR(32) NOT NULL,
    "kind" VARCHAR(8) NOT NULL,
    "last_xid" xid8 NOT NULL DEFAULT '0'::xid8,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_cursors_pkey" PRIMARY KEY ("consumer","app_id","kind")
);

-- A take: one app's events of one kind after its cursor.
CREATE INDEX "app_events_app_id_kind_xid_seq_idx" ON "app_events"("app_id", "kind", "xid", "seq");

-- Retention: each owner deletes its kind's events older than EVENTS_RETENTION_MS.
CREATE INDEX "app_events_kind_ts_idx" ON "app_events"("kind", "ts");
