-- Certificate rotation: the replaced certificate keeps verifying tokens until previous_certificate_until.
ALTER TABLE "apps" ADD COLUMN "previous_certificate" VARCHAR(64),
ADD COLUMN "previous_certificate_until" TIMESTAMPTZ(3);

-- Customer key/secret pairs of the server API (Basic auth); secrets stored as SHA-256 hex.
CREATE TABLE "customer_credentials" (
    "id" VARCHAR(32) NOT NULL,
    "secret_hash" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200),
    "app_ids" VARCHAR(32)[],
    "all_apps" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "customer_credentials_pkey" PRIMARY KEY ("id")
);
