-- Kicks and bans (server API, issue 15). A user ban refuses the uid's logins until expires_at: it is
-- checked inside presence's statement that registers logins (a banned login is refused on its own,
-- the others of its batch go on). Owned by presence.
CREATE TABLE "user_bans" (
    "app_id" VARCHAR(32) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" VARCHAR(256),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_bans_pkey" PRIMARY KEY ("app_id","uid")
);

-- A channel ban refuses the uid's joins of one channel until expires_at: checked inside the channel
-- service's join statement. Owned by the channel service.
CREATE TABLE "channel_bans" (
    "app_id" VARCHAR(32) NOT NULL,
    "channel_id" VARCHAR(64) NOT NULL,
    "uid" VARCHAR(64) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_bans_pkey" PRIMARY KEY ("app_id","channel_id","uid")
);

-- Expired bans are ignored by every query (expires_at > now()) and deleted by an occasional sweep of
-- each owner: finding nothing is one probe of these indexes.
CREATE INDEX "user_bans_expires_at_idx" ON "user_bans"("expires_at");
CREATE INDEX "channel_bans_expires_at_idx" ON "channel_bans"("expires_at");
