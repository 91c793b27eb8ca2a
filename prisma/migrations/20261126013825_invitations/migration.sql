-- AlterTable
ALTER TABLE "channels" ALTER COLUMN "count_published_at" SET DEFAULT 'epoch'::timestamptz;

-- CreateTable
CREATE TABLE "invitations" (
    "app_id" VARCHAR(32) NOT NULL,
    "caller_uid" VARCHAR(64) NOT NULL,
    "id" VARCHAR(128) NOT NULL,
    "callee_uid" VARCHAR(64) NOT NULL,
    "content" TEXT NOT NULL DEFAULT '',
    "channel_id" VARCHAR(64) NOT NULL DEFAULT '',
    "response" TEXT NOT NULL DEFAULT '',
    "state" VARCHAR(16) NOT NULL,
    "reason" VARCHAR(32),
    "deadline" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("app_id","caller_uid","id")
);

-- CreateIndex
CREATE INDEX "invitations_app_id_callee_uid_idx" ON "invitations"("app_id", "callee_uid");

-- CreateIndex
CREATE INDEX "invitations_deadline_idx" ON "invitations"("deadline");

-- CreateIndex
CREATE INDEX "invitations_ended_at_idx" ON "invitations"("ended_at");
