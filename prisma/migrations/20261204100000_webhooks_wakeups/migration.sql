-- The webhooks replicas sleep while nothing can be due (issue 14) and LISTEN on "parley_webhooks"
-- (apps/webhooks/src/dispatch/outbox-signal.ts) for what other processes change:
--   'e'  an endpoint created or enabled (the admin API, the CLI through it, or by hand): the fan-out
--        leaves its long no-endpoint sleep, the dispatchers claim its rows (a re-enabled one's);
--   'r'  dead deliveries queued again (the admin API's replay): the dispatchers claim them.
-- The fan-out sends 'd:<replica>' itself, in the transaction that inserts outbox rows. A NOTIFY is
-- delivered on commit only, once per transaction and payload. Only the WHEN-filtered rows call the
-- function: the dispatchers' own updates of webhook_deliveries (claims, results) never do.
CREATE FUNCTION "parley_webhooks_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('parley_webhooks', TG_ARGV[0]);
  RETURN NULL;
END
$$;

CREATE TRIGGER "webhook_endpoints_wake" AFTER INSERT OR UPDATE OF "enabled" ON "webhook_endpoints"
  FOR EACH ROW WHEN (NEW."enabled") EXECUTE FUNCTION "parley_webhooks_notify"('e');

CREATE TRIGGER "webhook_deliveries_replay_wake" AFTER UPDATE OF "state" ON "webhook_deliveries"
  FOR EACH ROW WHEN (OLD."state" <> 0 AND NEW."state" = 0) EXECUTE FUNCTION "parley_webhooks_notify"('r');
