/**
 * API tokens and the audit log (migration 0005): the SQL behind `tributary token …`, the server's
 * authentication and its record of who did what. Only a token's sha256 is ever stored or compared here; the
 * token itself never reaches this module.
 */
import { sqlStateOf } from "./sql-client.ts";
import { StoreError } from "./errors.ts";
import type { SqlClient } from "./sql-client.ts";

/** What a token allows: viewer reads, operator also launches, cancels and re-executes, admin everything. */
export type ApiTokenRole = "viewer" | "operator" | "admin";

/** A token as stored: never the token, and the hash is left out of everything handed outside this module. */
export interface ApiTokenRecord {
  /** The public id (tok_…), safe to show and log. */
  readonly id: string;
  readonly name: string;
  readonly role: ApiTokenRole;
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

export interface NewApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: ApiTokenRole;
  /** sha256 of the token, hex. */
  readonly tokenHash: string;
  readonly createdBy: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: ApiTokenRole;
  created_at: Date;
  created_by: string | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const TOKEN_COLUMNS = "id, name, role, created_at, created_by, revoked_at, last_used_at";

const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

function toToken(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
    revokedAt: iso(row.revoked_at),
    lastUsedAt: iso(row.last_used_at),
  };
}

/** Stores a new token. A working token with the same name is an `invalid_input` StoreError saying so. */
export async function createApiToken(client: SqlClient, token: NewApiToken): Promise<ApiTokenRecord> {
  try {
    const rows = await client.query<TokenRow>(
      `INSERT INTO api_tokens (id, name, role, token_hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${TOKEN_COLUMNS}`,
      [token.id, token.name, token.role, token.tokenHash, token.createdBy],
    );
    return toToken(rows[0]!);
  } catch (error) {
    if (sqlStateOf(error) === "23505") {
      throw new StoreError("invalid_input", `A working token is already named "${token.name}"; revoke it first or choose another name.`, { name: token.name });
    }
    throw error;
  }
}

/** The working (not revoked) token with this hash, or null. */
export async function findActiveApiToken(client: SqlClient, tokenHash: string): Promise<ApiTokenRecord | null> {
  const rows = await client.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, [tokenHash]);
  return rows[0] ? toToken(rows[0]) : null;
}

/** Records that a token was used (the caller throttles how often). */
export async function touchApiToken(client: SqlClient, id: string, at: Date = new Date()): Promise<void> {
  await client.query(`UPDATE api_tokens SET last_used_at = GREATEST(COALESCE(last_used_at, $2::timestamptz), $2::timestamptz) WHERE id = $1`, [id, at.toISOString()]);
}

/** Every token, working ones first, newest first; revoked ones only when asked. */
export async function listApiTokens(client: SqlClient, options: { readonly includeRevoked?: boolean } = {}): Promise<ApiTokenRecord[]> {
  const rows = await client.query<TokenRow>(
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens ${options.includeRevoked ? "" : "WHERE revoked_at IS NULL"}
     ORDER BY (revoked_at IS NULL) DESC, created_at DESC, id`,
  );
  return rows.map(toToken);
}

/**
 * Revokes the working token with this id or name; returns it (with its revocation time), or null when no
 * working token has that id or name.
 */
export async function revokeApiToken(client: SqlClient, idOrName: string): Promise<ApiTokenRecord | null> {
  const rows = await client.query<TokenRow>(
    `UPDATE api_tokens SET revoked_at = now() WHERE (id = $1 OR name = $1) AND revoked_at IS NULL RETURNING ${TOKEN_COLUMNS}`,
    [idOrName],
  );
  return rows[0] ? toToken(rows[0]) : null;
}

/** Who acted: a token (its name), a proxy's user, an anonymous caller, or someone at the server itself (the CLI). */
export type AuditActorKind = "token" | "proxy" | "anonymous" | "local";

export interface AuditEventInput {
  readonly action: string;
  readonly outcome: "ok" | "refused" | "failed";
  readonly actor: string | null;
  readonly actorKind: AuditActorKind;
  readonly role: ApiTokenRole | null;
  readonly runIds?: readonly string[];
  readonly errorCode?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface AuditEvent extends Required<AuditEventInput> {
  readonly id: number;
  readonly at: string;
}

interface AuditRow {
  id: number | string;
  at: Date;
  action: string;
  outcome: AuditEvent["outcome"];
  actor: string | null;
  actor_kind: AuditActorKind;
  role: ApiTokenRole | null;
  run_ids: string[];
  error_code: string | null;
  details: Record<string, unknown>;
}

const AUDIT_COLUMNS = "id, at, action, outcome, actor, actor_kind, role, run_ids, error_code, details";

function toAudit(row: AuditRow): AuditEvent {
  return {
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    action: row.action,
    outcome: row.outcome,
    actor: row.actor,
    actorKind: row.actor_kind,
    role: row.role,
    runIds: row.run_ids,
    errorCode: row.error_code,
    details: row.details,
  };
}

/** Appends one event to the audit log. */
export async function recordAuditEvent(client: SqlClient, event: AuditEventInput): Promise<AuditEvent> {
  const rows = await client.query<AuditRow>(
    `INSERT INTO audit_events (action, outcome, actor, actor_kind, role, run_ids, error_code, details)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8::jsonb) RETURNING ${AUDIT_COLUMNS}`,
    [event.action, event.outcome, event.actor, event.actorKind, event.role, [...(event.runIds ?? [])], event.errorCode ?? null, JSON.stringify(event.details ?? {})],
  );
  return toAudit(rows[0]!);
}

export interface AuditFilter {
  /** Events about this run. */
  readonly runId?: string | null;
  readonly actions?: readonly string[] | null;
  readonly actor?: string | null;
  /** Events older than this id (the previous page's last). */
  readonly beforeId?: number | null;
  readonly first: number;
}

/** Audit events, newest first. */
export async function listAuditEvents(client: SqlClient, filter: AuditFilter): Promise<AuditEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.runId != null) {
    params.push([filter.runId]);
    where.push(`run_ids @> $${params.length}::text[]`);
  }
  if (filter.actions != null && filter.actions.length > 0) {
    params.push([...filter.actions]);
    where.push(`action = ANY($${params.length}::text[])`);
  }
  if (filter.actor != null) {
    params.push(filter.actor);
    where.push(`actor = $${params.length}`);
  }
  if (filter.beforeId != null) {
    params.push(filter.beforeId);
    where.push(`id < $${params.length}`);
  }
  params.push(Math.max(0, Math.min(filter.first, 500)));
  const rows = await client.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_events ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toAudit);
}
