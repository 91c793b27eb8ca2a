-- Webhook endpoints (owned by api: the admin API manages them; the webhooks app reads them).
CREATE TABLE "webhook_endpoints" (
    "id" UUID NOT NULL,
    "app_id" VARCHAR(32) NOT NULL,
    "url" VARCHAR(2048) NOT NULL,
    "secret" VARCHAR(128) NOT NULL,
    "event_types" VARCHAR(64)[],
    "include_payload" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_endpoints_app_id_idx" ON "webhook_endpoints"("app_id");

-- The webhook outbox (owned by webhooks).
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "notice_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "app_id" VARCHAR(32) NOT NULL,
    "event_type" VARCHAR(64) NOT NULL,
    "ordering_key" VARCHAR(200) NOT NULL,
    "body" TEXT NOT NULL,
    "state" SMALLINT NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "last_error" VARCHAR(500),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_deliveries_state_next_attempt_at_idx" ON "webhook_deliveries"("state", "next_attempt_at");
CREATE INDEX "webhook_deliveries_endpoint_id_ordering_key_id_idx" ON "webhook_deliveries"("endpoint_id", "ordering_key", "id");
CREATE INDEX "webhook_deliveries_app_id_state_idx" ON "webhook_deliveries"("app_id", "state");
