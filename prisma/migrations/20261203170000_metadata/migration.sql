-- User and channel metadata (agora-rtm 1.6.0), owned by the attributes service (docs/architecture.md,
-- "Metadata"). A set is one row per (app, scope 'u' user | 'c' channel, name); its row is the lock of
-- every write. major_revision takes values from the column's own sequence: never reused, only growing,
-- so an event published for a write whose commit failed can never shadow a later write's.

-- CreateTable
CREATE TABLE "metadata_sets" (
    "app_id" VARCHAR(32) NOT NULL,
    "scope" CHAR(1) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "major_revision" BIGSERIAL NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "metadata_sets_pkey" PRIMARY KEY ("app_id","scope","name")
);

-- CreateTable
CREATE TABLE "metadata_items" (
    "app_id" VARCHAR(32) NOT NULL,
    "scope" CHAR(1) NOT NULL,
    "name" VARCHAR(64) NOT NULL,
    "key" VARCHAR(128) NOT NULL,
    "value" TEXT NOT NULL,
    "revision" BIGINT NOT NULL,
    "update_ts" BIGINT NOT NULL DEFAULT 0,
    "author_uid" VARCHAR(64) NOT NULL DEFAULT '',

    CONSTRAINT "metadata_items_pkey" PRIMARY KEY ("app_id","scope","name","key")
);
