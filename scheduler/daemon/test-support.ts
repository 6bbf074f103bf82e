/**
 * A daemon on a real store for the daemon's tests: no workers (runs stay queued until the test ends them), a
 * clock each tick moves a minute, and the ways a daemon ends (a crash, a graceful restart).
 */
import assert from "node:assert/strict";
import type { CatalogGraph } from "../../catalog/graph/index.ts";
import type { CatalogStore } from "../../catalog/store/index.ts";
import { createRunEngine, createRunQueue } from "../runs/index.ts";
import type { RunEngine } from "../runs/index.ts";
import { quietLogger, recordingLauncher } from "../runs/test-support.ts";
import { createDaemon } from "./daemon.ts";
import type { Daemon, TickOutcome } from "./daemon.ts";
import { createLeaderLease } from "./leader.ts";
import type { LeaderLease } from "./leader.ts";

export class TestScheduler {
  now = Date.UTC(2026, 2, 5, 1);
  engine!: RunEngine;
  lease!: LeaderLease;
  daemon!: Daemon;

  constructor(
    readonly store: CatalogStore,
    readonly graph: CatalogGraph,
    readonly name: string,
  ) {}

  async start(): Promise<void> {
    const queue = createRunQueue({ client: this.store.client, schema: `${this.store.client.schema ?? "tributary"}_queue` });
    await queue.start();
    this.engine = createRunEngine({ store: this.store, queue, launchers: [recordingLauncher("dbt", "shop")], graph: () => this.graph, logger: quietLogger, work: false });
    await this.engine.start();
    this.lease = createLeaderLease(this.store.client);
    this.daemon = createDaemon({ store: this.store, engine: this.engine, lease: this.lease, graph: () => this.graph, logger: quietLogger, name: this.name, now: () => new Date(this.now) });
  }

  /** A new daemon with nothing in memory, as after a crash: the old one leaves no snapshot, its lock goes with its session. */
  async crash(): Promise<void> {
    await this.lease.release();
    await this.engine.stop();
    await this.start();
  }

  /** A graceful restart: the daemon stops (leaving its stop snapshot with the cursor) and a new one starts. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    await this.daemon.stop();
    await this.engine.stop();
  }

  async tick(): Promise<TickOutcome> {
    this.now += 60_000;
    const outcome = await this.daemon.tick();
    assert.equal(outcome.skipped, null);
    return outcome;
  }

  /** The runs requested so far end without building anything: nothing is in progress any more. */
  async endRuns(): Promise<void> {
    await this.store.client.exec("UPDATE runs SET status = 'canceled', ended_at = now() WHERE status IN ('queued', 'running')");
  }
}
