-- The presence sweep wakes at its next deadline instead of scanning every second (issue 14): the
-- earliest end of a reconnect window is min(state_since) of the unreachable sessions (state = 1),
-- read from this index rather than by a scan of the table.
CREATE INDEX "sessions_state_state_since_idx" ON "sessions"("state", "state_since");
