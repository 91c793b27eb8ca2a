-- AlterTable
ALTER TABLE "channels" ALTER COLUMN "count_published_at" SET DEFAULT 'epoch'::timestamptz;

-- CreateTable
CREATE TABLE "media" (
    "id" VARCHAR(64) NOT NULL,
    "app_id" VARCHAR(32) NOT NULL,
    "owner_uid" VARCHAR(64) NOT NULL,
    "object_key" VARCHAR(200) NOT NULL,
    "size" BIGINT NOT NULL,
    "type" VARCHAR(8) NOT NULL,
    "name" VARCHAR(512) NOT NULL DEFAULT '',
    "content_type" VARCHAR(200) NOT NULL DEFAULT 'application/octet-stream',
    "width" INTEGER NOT NULL DEFAULT 0,
    "height" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "media_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "media_app_id_idx" ON "media"("app_id");

-- CreateIndex
CREATE INDEX "media_expires_at_idx" ON "media"("expires_at");
