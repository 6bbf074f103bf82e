-- API tokens and the audit log (issue 14): who may call the API, and who did what.
--
-- A token is shown once, when it is created; only its sha256 is kept, so a copy of the database does not
-- hand out working tokens. A revoked token stays on record (its name, role and times) and never works again.

CREATE TABLE api_tokens (
  -- The public id (tok_…): shown in lists, used to revoke; not a secret.
  id text PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  -- sha256 of the whole token, in hex.
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Who created it (the OS user running `tributary token create`), when known.
  created_by text,
  revoked_at timestamptz,
  last_used_at timestamptz
);

-- A name names one working token at a time (a revoked token's name may be reused).
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;

-- What callers did through the API (launches, re-executions, cancels, reloads, reports) and to tokens, kept
-- with who did it: the token's name (never the token), or a proxy's user, or nobody for anonymous callers.
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  -- The mutation (launchRun, cancelRun, reloadLocations…) or token.create / token.revoke.
  action text NOT NULL,
  -- ok: done; refused: the caller's role may not do it; failed: it was allowed and failed (error_code says why).
  outcome text NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  actor text,
  actor_kind text NOT NULL CHECK (actor_kind IN ('token', 'proxy', 'anonymous', 'local')),
  role text,
  -- The runs it concerned: the run canceled, the run re-executed and the run it made, the run launched.
  run_ids text[] NOT NULL DEFAULT '{}',
  error_code text,
  -- Facts about the action (asset keys launched, onlyFailed, the token's id and role); never a secret.
  details jsonb NOT NULL DEFAULT '{}'
);

CREATE INDEX audit_events_by_at ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_by_run ON audit_events USING gin (run_ids);
