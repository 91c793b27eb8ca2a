-- Presence owns "sessions". Other services (channel: memberships of users gone offline; attributes:
-- the set of the current login) read the registry only through this view, which presence declares
-- (docs/architecture.md, "Who owns which table"): presence may change its table as long as the
-- view keeps these columns.
CREATE VIEW "session_registry" AS
  SELECT "app_id", "uid", "instance_id" FROM "sessions";
