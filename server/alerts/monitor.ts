/**
 * Alerts: tributary.yaml's rules, evaluated over the catalog every `interval_seconds`, each bad subject an
 * incident — opened once and announced once, resolved once and announced once — sent to webhooks (a JSON POST)
 * and Slack (incoming-webhook format) with retries and backoff.
 *
 * - run_failure: an asset whose latest attempt failed after its latest materialization (its status is FAILED);
 *   resolved when it is materialized again.
 * - check_failure: a check whose latest result is fail or error; resolved by a later pass (or warn).
 * - stale: an asset whose latest update (materialization, or a source's observation) is older than
 *   max_lag_minutes; resolved by an update. Never-materialized assets are not stale (nothing to be late).
 *
 * Incidents live in the store (catalog/store/alerts.ts): the process whose guarded INSERT opened one (or UPDATE
 * resolved it) sends, so several `tributary serve` on one Postgres send each message once.
 */
import type { Logger } from "pino";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import { matchesKeyGlob } from "../../catalog/model/index.ts";
import { checkSubject, latestCheckOutcomes, openAlertIncident, openAlertIncidents, recordAlertDelivery, resolveAlertIncident } from "../../catalog/store/index.ts";
import type { AlertIncident, SqlClient } from "../../catalog/store/index.ts";
import type { AutomationState } from "../../scheduler/conditions/index.ts";
import type { AlertsConfig } from "../config.ts";
import { assetStatus, updatedAt } from "../graphql/status.ts";

type Rule = AlertsConfig["rules"][number];
type Destination = AlertsConfig["destinations"][number];

/** One subject that is bad now, with a sentence saying why. */
interface Finding {
  readonly subject: string;
  readonly assetKey: string;
  readonly checkName: string | null;
  readonly summary: string;
}

export interface AlertMonitorOptions {
  readonly config: AlertsConfig;
  readonly client: SqlClient;
  /** The graph being served; null before the first load (nothing is evaluated then). */
  readonly graph: () => CatalogGraph | null;
  /** The automation state snapshot (server/automation-source.ts). */
  readonly state: () => Promise<AutomationState>;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Delivery attempts per message (default 5) and the first retry's delay (default 1 s, doubling). */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  /** Per request (default 10 s). */
  readonly timeoutMs?: number;
}

export interface AlertMonitor {
  /** One pass over every rule; resolves once its messages are delivered (or given up). */
  evaluate(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** The JSON a webhook receives. */
export interface AlertPayload {
  readonly type: "tributary.alert";
  readonly status: "open" | "resolved";
  readonly rule: string;
  readonly kind: string;
  readonly subject: string;
  readonly assetKey: string;
  readonly checkName: string | null;
  readonly summary: string;
  readonly incidentId: number;
  readonly openedAt: string;
  readonly resolvedAt: string | null;
}

/** Slack's incoming-webhook body for an alert. */
export function slackMessage(payload: AlertPayload): { text: string } {
  const mark = payload.status === "open" ? ":red_circle:" : ":large_green_circle:";
  const verb = payload.status === "open" ? "" : "Resolved: ";
  return { text: `${mark} ${verb}*${payload.rule}* — ${payload.summary} (\`${payload.subject}\`, incident ${payload.incidentId})` };
}

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

export function createAlertMonitor(options: AlertMonitorOptions): AlertMonitor {
  const { config, client, logger } = options;
  const now = options.now ?? (() => new Date());
  const attempts = options.attempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const log = logger.child({ component: "alerts" });
  const destinations = new Map(config.destinations.map((d) => [d.name, d]));
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;

  /** What is bad now for one rule. */
  async function findings(rule: Rule, graph: CatalogGraph, state: AutomationState, checks: Awaited<ReturnType<typeof latestCheckOutcomes>> | null): Promise<Finding[]> {
    const assets = graph.assets.filter((asset) => matchesKeyGlob(asset.id, rule.assets));
    const at = now().getTime();
    switch (rule.on) {
      case "run_failure":
        return assets
          .filter((asset) => assetStatus(asset, graph, state) === "FAILED")
          .map((asset) => ({ subject: asset.id, assetKey: asset.id, checkName: null, summary: `${asset.id}: its latest attempt failed` }));
      case "stale": {
        const maxLagMs = rule.max_lag_minutes! * 60_000;
        return assets.flatMap((asset) => {
          const updated = updatedAt(state, asset.id);
          if (updated === null || at - updated <= maxLagMs) return [];
          return [{ subject: asset.id, assetKey: asset.id, checkName: null, summary: `${asset.id}: last updated ${ago(at - updated)} ago (more than ${rule.max_lag_minutes} min)` }];
        });
      }
      case "check_failure": {
        const inScope = new Set(assets.flatMap((asset) => [asset.id, ...asset.aliasIds]));
        return (checks ?? [])
          .filter((check) => inScope.has(check.assetId) && (check.outcome === "fail" || check.outcome === "error"))
          .map((check) => {
            const assetKey = graph.get(check.assetId)?.id ?? check.assetId;
            return { subject: checkSubject(assetKey, check.checkName), assetKey, checkName: check.checkName, summary: `${assetKey}: check ${check.checkName} ${check.outcome === "fail" ? "failed" : "errored"}` };
          });
      }
    }
  }

  async function post(destination: Destination, payload: AlertPayload): Promise<void> {
    const url = destination.webhook ?? destination.slack!;
    const body = destination.slack !== undefined ? slackMessage(payload) : payload;
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    await response.text().catch(() => "");
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  }

  /** Sends one message to one destination, retrying with backoff; records how it went. Never throws. */
  async function deliver(destination: Destination, payload: AlertPayload): Promise<void> {
    let lastError = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await post(destination, payload);
        await recordAlertDelivery(client, payload.incidentId, { destination: destination.name, event: payload.status, ok: true, attempts: attempt, at: now().toISOString() });
        return;
      } catch (error) {
        // The URL is a secret (a Slack webhook is its own credential): only the destination's name is told.
        lastError = error instanceof Error && error.name === "TimeoutError" ? "no answer in time" : error instanceof Error ? error.message.replace(/https?:\/\/\S+/g, "<url>") : String(error);
        if (attempt < attempts && !stopped) await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** (attempt - 1)));
        else break;
      }
    }
    log.warn({ destination: destination.name, incident: payload.incidentId, status: payload.status, error: lastError }, "could not deliver an alert");
    await recordAlertDelivery(client, payload.incidentId, { destination: destination.name, event: payload.status, ok: false, attempts, error: lastError, at: now().toISOString() }).catch(() => undefined);
  }

  function payloadOf(incident: AlertIncident, status: "open" | "resolved", finding: Pick<Finding, "assetKey" | "checkName">): AlertPayload {
    return {
      type: "tributary.alert",
      status,
      rule: incident.rule,
      kind: incident.kind,
      subject: incident.subject,
      assetKey: finding.assetKey,
      checkName: finding.checkName,
      summary: incident.summary,
      incidentId: incident.id,
      openedAt: incident.openedAt,
      resolvedAt: incident.resolvedAt,
    };
  }

  async function pass(): Promise<void> {
    const graph = options.graph();
    if (graph === null || config.rules.length === 0) return;
    const state = await options.state();
    const checks = config.rules.some((rule) => rule.on === "check_failure") ? await latestCheckOutcomes(client) : null;
    const open = await openAlertIncidents(client);
    const deliveries: Promise<void>[] = [];
    const send = (rule: Rule, payload: AlertPayload) => {
      for (const name of rule.to) deliveries.push(deliver(destinations.get(name)!, payload));
    };
    for (const rule of config.rules) {
      const bad = await findings(rule, graph, state, checks);
      const badSubjects = new Set(bad.map((finding) => finding.subject));
      for (const finding of bad) {
        if (open.some((incident) => incident.rule === rule.name && incident.subject === finding.subject)) continue;
        const opened = await openAlertIncident(client, { rule: rule.name, kind: rule.on, subject: finding.subject, summary: finding.summary, at: now() });
        if (opened) {
          log.info({ rule: rule.name, subject: finding.subject, incident: opened.id }, `alert: ${finding.summary}`);
          send(rule, payloadOf(opened, "open", finding));
        }
      }
      for (const incident of open.filter((i) => i.rule === rule.name && !badSubjects.has(i.subject))) {
        const resolved = await resolveAlertIncident(client, rule.name, incident.subject, now());
        if (resolved) {
          const [assetKey, checkName] = rule.on === "check_failure" ? [incident.subject.slice(0, incident.subject.lastIndexOf("#")), incident.subject.slice(incident.subject.lastIndexOf("#") + 1)] : [incident.subject, null];
          log.info({ rule: rule.name, subject: incident.subject, incident: resolved.id }, "alert resolved");
          send(rule, payloadOf(resolved, "resolved", { assetKey, checkName }));
        }
      }
    }
    await Promise.all(deliveries);
  }

  const monitor: AlertMonitor = {
    evaluate() {
      running ??= pass().finally(() => {
        running = null;
      });
      return running;
    },
    start() {
      if (timer !== null || config.rules.length === 0) return;
      stopped = false;
      timer = setInterval(() => {
        monitor.evaluate().catch((error: unknown) => log.warn({ error: error instanceof Error ? error.message : String(error) }, "evaluating alert rules failed"));
      }, config.interval_seconds * 1000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
  return monitor;
}
