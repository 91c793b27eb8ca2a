-- CreateTable
CREATE TABLE "offline_messages" (
    "seq" BIGSERIAL NOT NULL,
    "app_id" VARCHAR(32) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "from_uid" VARCHAR(64) NOT NULL,
    "message_id" VARCHAR(128) NOT NULL,
    "payload" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "offline_messages_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "offline_messages_app_id_uid_seq_idx" ON "offline_messages"("app_id", "uid", "seq");

-- CreateIndex
CREATE INDEX "offline_messages_expires_at_idx" ON "offline_messages"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "offline_messages_app_id_uid_from_uid_message_id_key" ON "offline_messages"("app_id", "uid", "from_uid", "message_id");
