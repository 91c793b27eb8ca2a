-- CreateTable
CREATE TABLE "apps" (
    "id" VARCHAR(32) NOT NULL,
    "name" VARCHAR(200),
    "certificate" VARCHAR(64),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "apps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "gateways" (
    "id" VARCHAR(64) NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateways_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "app_id" VARCHAR(32) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "session_id" UUID NOT NULL,
    "instance_id" VARCHAR(64) NOT NULL,
    "gateway_id" VARCHAR(64) NOT NULL,
    "epoch" BIGSERIAL NOT NULL,
    "state" SMALLINT NOT NULL DEFAULT 0,
    "state_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "logged_in_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("app_id","uid")
);

-- CreateIndex
CREATE INDEX "gateways_heartbeat_at_idx" ON "gateways"("heartbeat_at");

-- CreateIndex
CREATE INDEX "sessions_gateway_id_idx" ON "sessions"("gateway_id");
