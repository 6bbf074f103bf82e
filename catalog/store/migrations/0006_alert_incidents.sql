-- Alerts (issue 14): one row per incident — a rule's subject (an asset, or an asset's check) going bad until it
-- is good again. At most one incident of a (rule, subject) is open at a time, so the process whose INSERT opened
-- it (or whose UPDATE resolved it) is the one that sends the message: once per incident across processes.

CREATE TABLE alert_incidents (
  id bigserial PRIMARY KEY,
  rule text NOT NULL,
  -- run_failure, check_failure or stale.
  kind text NOT NULL,
  -- The asset's key, or '<asset key>#<check name>' for a check.
  subject text NOT NULL,
  summary text NOT NULL,
  opened_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  -- What was sent where, and how it went: [{destination, event, ok, attempts, error}]; never a URL.
  deliveries jsonb NOT NULL DEFAULT '[]'
);

CREATE UNIQUE INDEX alert_incidents_one_open ON alert_incidents (rule, subject) WHERE resolved_at IS NULL;
