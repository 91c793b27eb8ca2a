-- Registry gateway ids become GATEWAY_ID@<boot id>: a gateway restarted with the same GATEWAY_ID is a
-- new registry gateway, and the dead process's sessions are settled by the silent-gateway rules.
-- Widening a varchar only changes the catalog (no table rewrite; the primary key stays).
ALTER TABLE "gateways" ALTER COLUMN "id" SET DATA TYPE VARCHAR(100);

ALTER TABLE "sessions" ALTER COLUMN "gateway_id" SET DATA TYPE VARCHAR(100);
