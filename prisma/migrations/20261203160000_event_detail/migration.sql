-- What the webhooks report beyond the event's type (docs/architecture.md, "Event record"):
--   user Logout      {"reason": "logout" | "remote_login" | "timeout" | "kicked"}
--   channel Join/Leave {"count": members after the change}   (webhooks derive channel.occupied / vacated)
--   invite Ended     {"id", "callee", "outcome", "reason"?}   (written by the invitation service)
--   media Uploaded   {"id", "size", "type", "name", "width", "height"} (written by the media service)
ALTER TABLE "app_events" ADD COLUMN "detail" JSONB;

-- Message notifications get ids derived from the message and the endpoint: a batch fanned out twice
-- (a crash before the stream ack) inserts nothing the second time.
CREATE UNIQUE INDEX "webhook_deliveries_notice_id_key" ON "webhook_deliveries"("notice_id");

-- A messages stream cursor ("m:<hash of the stream name>") also names the stream it counts in (its creation time,
-- Unix ms): a stream created again starts its sequence over, and the cursor with it.
ALTER TABLE "webhook_cursors" ADD COLUMN "source_epoch" BIGINT NOT NULL DEFAULT 0;

-- The W3C traceparent of the action that caused an event (null when traces were not exported), carried
-- to its outbox rows: each delivery attempt's span links to it.
ALTER TABLE "app_events" ADD COLUMN "trace_parent" VARCHAR(55);
ALTER TABLE "webhook_deliveries" ADD COLUMN "trace_parent" VARCHAR(55);
