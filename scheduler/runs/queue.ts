/**
 * The job queue steps run through: pg-boss (v10, the last line that runs on Node 20) on the store's own
 * database, through its `db.executeSql` seam, so one queue serves the embedded PGlite and a Postgres server
 * alike, and workers of every `tributary serve` on one Postgres take jobs from it. A job is sent inside the
 * caller's transaction, so a tick's runs and their jobs commit together or not at all.
 *
 * Each launcher location has its own queue. A location that runs one step at a time (a dbt project) gets
 * pg-boss's `singleton` policy, which lets one job of the queue be active in the whole cluster at once.
 */
import PgBoss from "pg-boss";
import type { SqlClient } from "../../catalog/store/index.ts";

/** A job's payload: which step of which run to execute. */
export interface StepJob {
  readonly runId: string;
  readonly stepIndex: number;
}

/** A job a worker took and has not finished. */
export interface ActiveJob {
  readonly queue: string;
  readonly id: string;
  readonly job: StepJob;
  readonly startedAt: Date;
}

export interface RunQueue {
  /** Installs or upgrades pg-boss's schema and starts its maintenance. */
  start(): Promise<void>;
  /** Creates the queue when missing (`oneAtATime`: at most one active job cluster-wide). */
  ensureQueue(name: string, options: { readonly oneAtATime: boolean }): Promise<void>;
  /** Sends a job inside the caller's transaction `tx`; returns the job id. */
  send(tx: SqlClient, queue: string, job: StepJob, options?: { readonly startAfter?: Date }): Promise<string>;
  /** Takes jobs from `queue` with `concurrency` workers in this process. */
  work(queue: string, concurrency: number, handler: (job: StepJob, jobId: string) => Promise<void>): Promise<void>;
  /** Wakes this process's workers of `queue` (after a send, instead of waiting for their next poll). */
  notify(queue: string): void;
  /** Fails an active job whose worker stopped, so a `oneAtATime` queue is free for the step's takeover. */
  failJob(queue: string, jobId: string, reason: string): Promise<void>;
  /**
   * Jobs of these queues a worker took (active) before `startedBefore`. A job stays active until its handler
   * returns, so one whose worker was killed stays active (for `expireInSeconds`) and, on a `oneAtATime` queue,
   * holds the queue: the engine looks for those whose step shows the worker is gone.
   */
  activeJobs(queues: readonly string[], startedBefore: Date): Promise<ActiveJob[]>;
  /** Stops taking jobs and waits for the handlers in flight (at most `timeoutMs`). */
  stop(options?: { readonly timeoutMs?: number }): Promise<void>;
}

/** pg-boss's `db`: runs a statement, or a script of several (its schema plans) when it passes no values. */
function executorFor(client: SqlClient): { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> } {
  return {
    async executeSql(text, values) {
      if ((!values || values.length === 0) && /;\s*\S/.test(text.trim().replace(/;\s*$/, ""))) {
        await client.exec(text);
        return { rows: [] };
      }
      return { rows: await client.query(text, values ?? []) };
    },
  };
}

/** pg-boss names must be letters, digits, underscores, hyphens and dots. */
export function queueName(tool: string, locationName: string): string {
  return `tributary.${tool}.${locationName}`.replace(/[^\w.-]/g, "_");
}

export interface RunQueueOptions {
  readonly client: SqlClient;
  /** pg-boss's schema (its tables live apart from the store's). */
  readonly schema: string;
  /** How often idle workers poll (default 2 s; a send in this process wakes them at once). */
  readonly pollingIntervalSeconds?: number;
  readonly onError?: (error: Error) => void;
}

export function createRunQueue(options: RunQueueOptions): RunQueue {
  const { client } = options;
  // Interpolated into SQL above: plain identifiers only.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`Invalid job queue schema name "${options.schema}"`);
  const boss = new PgBoss({
    db: executorFor(client),
    schema: options.schema,
    // Tributary's daemon schedules; pg-boss's cron is not used.
    schedule: false,
    supervise: true,
    migrate: true,
  } as PgBoss.ConstructorOptions);
  boss.on("error", (error) => options.onError?.(error));
  const workerIds = new Map<string, string[]>();
  const inFlight = new Set<Promise<unknown>>();
  return {
    async start() {
      // Two processes starting at once both see no queue schema; Postgres reports their concurrent CREATE
      // SCHEMA as a duplicate key, which pg-boss does not recognise as its own install race. Creating the
      // schema first, under a lock, leaves pg-boss only races it does handle ("already exists").
      await client.transaction(async (tx) => {
        if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock(hashtext($1::text))", [`tributary-queue-schema:${options.schema}`]);
        await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
      });
      await boss.start();
    },
    async ensureQueue(name, { oneAtATime }) {
      const policy = oneAtATime ? "singleton" : "standard";
      // A step is retried by Tributary (takeover after a worker stops), never by the queue: a retried job
      // would run the outside work twice. The expiry only bounds a handler that never returns.
      const settings = { name, policy, retryLimit: 0, expireInSeconds: 23 * 3600 } as PgBoss.Queue;
      // Several processes starting at once may race to create it (Postgres may even pick one as a deadlock
      // victim): look again and retry until one of them made it.
      for (let attempt = 1; ; attempt++) {
        const existing = await boss.getQueue(name);
        if (existing) {
          if (existing.policy !== policy && (await boss.getQueueSize(name)) === 0) {
            // pg-boss cannot change a queue's policy in place; an idle queue is recreated.
            await boss.deleteQueue(name);
            continue;
          }
          return;
        }
        try {
          await boss.createQueue(name, settings);
          return;
        } catch (error) {
          if (attempt >= 5) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    },
    async send(tx, queue, job, sendOptions = {}) {
      const id = await boss.send(queue, { ...job }, {
        db: executorFor(tx),
        ...(sendOptions.startAfter ? { startAfter: sendOptions.startAfter } : {}),
      } as PgBoss.SendOptions);
      if (id === null) throw new Error(`The job queue refused a job for run ${job.runId} step ${job.stepIndex} on ${queue}`);
      return id;
    },
    async work(queue, concurrency, handler) {
      const ids: string[] = [];
      for (let i = 0; i < Math.max(1, concurrency); i++) {
        ids.push(
          await boss.work<StepJob>(queue, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, batchSize: 1 }, async ([job]) => {
            if (!job) return;
            const running = handler(job.data, job.id);
            inFlight.add(running);
            try {
              await running;
            } finally {
              inFlight.delete(running);
            }
          }),
        );
      }
      workerIds.set(queue, [...(workerIds.get(queue) ?? []), ...ids]);
    },
    notify(queue) {
      for (const id of workerIds.get(queue) ?? []) boss.notifyWorker(id);
    },
    async failJob(queue, jobId, reason) {
      await boss.fail(queue, jobId, { reason });
    },
    async activeJobs(queues, startedBefore) {
      if (queues.length === 0) return [];
      // pg-boss (v10) has no call listing a queue's active jobs; its job table is read directly.
      const rows = await client.query<{ id: string; name: string; data: unknown; started_on: Date }>(
        `SELECT id::text AS id, name, data, started_on FROM ${options.schema}.job
          WHERE state = 'active' AND name = ANY($1::text[]) AND started_on < $2 ORDER BY started_on`,
        [[...queues], startedBefore],
      );
      return rows.map((row) => {
        const data = (typeof row.data === "string" ? JSON.parse(row.data) : row.data) as StepJob;
        return { queue: row.name, id: row.id, job: { runId: data.runId, stepIndex: Number(data.stepIndex) }, startedAt: new Date(row.started_on) };
      });
    },
    async stop({ timeoutMs = 30_000 } = {}) {
      for (const queue of workerIds.keys()) await boss.offWork(queue).catch(() => undefined);
      workerIds.clear();
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
      await boss.stop({ graceful: false, wait: true, close: false } as PgBoss.StopOptions).catch(() => undefined);
    },
  };
}
