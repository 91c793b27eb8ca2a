-- Gateways and server API replicas keep two sets in memory (libs/delivery RefreshedAppSet): the apps
-- whose enabled webhook endpoints capture messages, and the apps that store every message. Instead
-- of each replica re-reading both every 5 s (issue 14, idle cluster), the database says when either
-- may have changed: 'c' on "parley_webhooks" (the channel the webhooks replicas LISTEN on,
-- apps/webhooks/src/dispatch/outbox-signal.ts), which they relay on NATS to every replica
-- (Subjects.captureSettingsChanged). Whoever writes (the admin API, the CLI, by hand) is covered.
-- Only rows that change a set notify; Postgres folds equal payloads of one transaction into one,
-- sent on commit.
CREATE TRIGGER "webhook_endpoints_capture_added" AFTER INSERT ON "webhook_endpoints"
  FOR EACH ROW WHEN (NEW."enabled") EXECUTE FUNCTION "parley_webhooks_notify"('c');
CREATE TRIGGER "webhook_endpoints_capture_removed" AFTER DELETE ON "webhook_endpoints"
  FOR EACH ROW WHEN (OLD."enabled") EXECUTE FUNCTION "parley_webhooks_notify"('c');
CREATE TRIGGER "webhook_endpoints_capture_changed" AFTER UPDATE OF "enabled", "event_types" ON "webhook_endpoints"
  FOR EACH ROW WHEN ((OLD."enabled", OLD."event_types") IS DISTINCT FROM (NEW."enabled", NEW."event_types"))
  EXECUTE FUNCTION "parley_webhooks_notify"('c');

CREATE TRIGGER "apps_store_all_added" AFTER INSERT ON "apps"
  FOR EACH ROW WHEN (NEW."history_store_all") EXECUTE FUNCTION "parley_webhooks_notify"('c');
CREATE TRIGGER "apps_store_all_removed" AFTER DELETE ON "apps"
  FOR EACH ROW WHEN (OLD."history_store_all") EXECUTE FUNCTION "parley_webhooks_notify"('c');
CREATE TRIGGER "apps_store_all_changed" AFTER UPDATE OF "history_store_all" ON "apps"
  FOR EACH ROW WHEN (OLD."history_store_all" IS DISTINCT FROM NEW."history_store_all")
  EXECUTE FUNCTION "parley_webhooks_notify"('c');
