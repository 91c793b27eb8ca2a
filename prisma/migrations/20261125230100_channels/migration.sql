-- CreateTable
CREATE TABLE "channels" (
    "app_id" VARCHAR(32) NOT NULL,
    "channel_id" VARCHAR(64) NOT NULL,
    "member_count" INTEGER NOT NULL DEFAULT 0,
    "count_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "count_published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT 'epoch'::timestamptz,

    CONSTRAINT "channels_pkey" PRIMARY KEY ("app_id","channel_id")
);

-- CreateTable
CREATE TABLE "channel_members" (
    "app_id" VARCHAR(32) NOT NULL,
    "channel_id" VARCHAR(64) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "session_id" UUID NOT NULL,
    "gateway_id" VARCHAR(64) NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_members_pkey" PRIMARY KEY ("app_id","channel_id","uid")
);

-- CreateIndex
CREATE INDEX "channels_count_changed_at_idx" ON "channels"("count_changed_at");

-- CreateIndex
CREATE INDEX "channel_members_app_id_uid_idx" ON "channel_members"("app_id", "uid");
