-- AlterTable
ALTER TABLE "channels" ALTER COLUMN "count_published_at" SET DEFAULT 'epoch'::timestamptz;

-- AlterTable
ALTER TABLE "gateways" ADD COLUMN     "suspected" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "sessions" ADD COLUMN     "status_seq" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "user_attribute_sets" (
    "app_id" VARCHAR(32) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "instance_id" VARCHAR(64) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_attribute_sets_pkey" PRIMARY KEY ("app_id","uid")
);

-- CreateTable
CREATE TABLE "user_attributes" (
    "app_id" VARCHAR(32) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "key" VARCHAR(128) NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "user_attributes_pkey" PRIMARY KEY ("app_id","uid","key")
);

-- CreateTable
CREATE TABLE "channel_attribute_sets" (
    "app_id" VARCHAR(32) NOT NULL,
    "channel_id" VARCHAR(64) NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_attribute_sets_pkey" PRIMARY KEY ("app_id","channel_id")
);

-- CreateTable
CREATE TABLE "channel_attributes" (
    "app_id" VARCHAR(32) NOT NULL,
    "channel_id" VARCHAR(64) NOT NULL,
    "key" VARCHAR(128) NOT NULL,
    "value" TEXT NOT NULL,
    "last_update_user_id" VARCHAR(64) NOT NULL,
    "last_update_ts" BIGINT NOT NULL,

    CONSTRAINT "channel_attributes_pkey" PRIMARY KEY ("app_id","channel_id","key")
);
