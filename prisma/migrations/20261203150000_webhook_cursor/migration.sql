-- The webhooks dispatcher's cursor in the event record (owned by webhooks): one row ('events') for
-- every app and kind. The fan-out locks it (SKIP LOCKED: one replica at a time), inserts the outbox
-- rows of the events after it and moves it, in one transaction: nothing is lost or fanned out twice.
CREATE TABLE "webhook_cursors" (
    "name" VARCHAR(16) NOT NULL,
    "last_xid" xid8 NOT NULL DEFAULT '0'::xid8,
    "last_seq" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_cursors_pkey" PRIMARY KEY ("name")
);

-- The fan-out reads every app's events in (xid, seq) order.
CREATE INDEX "app_events_xid_seq_idx" ON "app_events"("xid", "seq");
