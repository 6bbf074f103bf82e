/**
 * Alert incidents (migration 0006): opening and resolving are guarded statements, so of several processes
 * watching the same store exactly one opens (and then announces) an incident, and exactly one resolves it.
 */
import { keyToString } from "../model/index.ts";
import type { CheckOutcome } from "../model/index.ts";
import type { SqlClient } from "./sql-client.ts";

export interface AlertIncident {
  readonly id: number;
  readonly rule: string;
  readonly kind: string;
  readonly subject: string;
  readonly summary: string;
  readonly openedAt: string;
  readonly resolvedAt: string | null;
  readonly deliveries: readonly Readonly<Record<string, unknown>>[];
}

interface IncidentRow {
  id: number | string;
  rule: string;
  kind: string;
  subject: string;
  summary: string;
  opened_at: Date;
  resolved_at: Date | null;
  deliveries: Record<string, unknown>[];
}

const COLUMNS = "id, rule, kind, subject, summary, opened_at, resolved_at, deliveries";

function toIncident(row: IncidentRow): AlertIncident {
  return {
    id: Number(row.id),
    rule: row.rule,
    kind: row.kind,
    subject: row.subject,
    summary: row.summary,
    openedAt: new Date(row.opened_at).toISOString(),
    resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
    deliveries: row.deliveries,
  };
}

/** Opens an incident unless one of the rule and subject is open; returns it only when this call opened it. */
export async function openAlertIncident(
  client: SqlClient,
  incident: { readonly rule: string; readonly kind: string; readonly subject: string; readonly summary: string; readonly at: Date },
): Promise<AlertIncident | null> {
  const rows = await client.query<IncidentRow>(
    `INSERT INTO alert_incidents (rule, kind, subject, summary, opened_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (rule, subject) WHERE resolved_at IS NULL DO NOTHING RETURNING ${COLUMNS}`,
    [incident.rule, incident.kind, incident.subject, incident.summary, incident.at.toISOString()],
  );
  return rows[0] ? toIncident(rows[0]) : null;
}

/** Resolves the open incident of a rule and subject; returns it only when this call resolved it. */
export async function resolveAlertIncident(client: SqlClient, rule: string, subject: string, at: Date): Promise<AlertIncident | null> {
  const rows = await client.query<IncidentRow>(
    `UPDATE alert_incidents SET resolved_at = $3 WHERE rule = $1 AND subject = $2 AND resolved_at IS NULL RETURNING ${COLUMNS}`,
    [rule, subject, at.toISOString()],
  );
  return rows[0] ? toIncident(rows[0]) : null;
}

/** Every open incident. */
export async function openAlertIncidents(client: SqlClient): Promise<AlertIncident[]> {
  return (await client.query<IncidentRow>(`SELECT ${COLUMNS} FROM alert_incidents WHERE resolved_at IS NULL ORDER BY id`)).map(toIncident);
}

/** Incidents newest first (at most 500). */
export async function listAlertIncidents(client: SqlClient, first = 100): Promise<AlertIncident[]> {
  return (await client.query<IncidentRow>(`SELECT ${COLUMNS} FROM alert_incidents ORDER BY id DESC LIMIT $1`, [Math.max(0, Math.min(first, 500))])).map(toIncident);
}

/** Appends what a delivery did to its incident. */
export async function recordAlertDelivery(client: SqlClient, incidentId: number, delivery: Readonly<Record<string, unknown>>): Promise<void> {
  await client.query(`UPDATE alert_incidents SET deliveries = deliveries || $2::jsonb WHERE id = $1`, [incidentId, JSON.stringify([delivery])]);
}

/** The latest result of every check of every asset (one read for a whole catalog). */
export async function latestCheckOutcomes(client: SqlClient): Promise<{ assetId: string; checkName: string; outcome: CheckOutcome; occurredAt: string }[]> {
  const rows = await client.query<{ asset_key: string; check_name: string; outcome: CheckOutcome; occurred_at: Date }>(
    `SELECT DISTINCT ON (asset_key, check_name) asset_key, check_name, outcome, occurred_at
       FROM check_results ORDER BY asset_key, check_name, occurred_at DESC, id DESC`,
  );
  return rows.map((row) => ({ assetId: row.asset_key, checkName: row.check_name, outcome: row.outcome, occurredAt: new Date(row.occurred_at).toISOString() }));
}

/** The subject of a check's incidents. */
export function checkSubject(assetKey: readonly string[] | string, checkName: string): string {
  return `${typeof assetKey === "string" ? assetKey : keyToString(assetKey)}#${checkName}`;
}
