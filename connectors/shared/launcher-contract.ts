/**
 * The contract every {@link Launcher} must keep (catalog/model/runs.ts), as one test suite each connector runs
 * against its own tool (a simulator over loopback, a real dbt): the tool's failure is an outcome, not an
 * exception; progress is saved before the first outside call that starts work and after it; a step taken
 * over at any saved point never starts the work a second time (it starts it only when it knows none was
 * started); an abort is a `canceled` outcome and stops the calls.
 *
 * A "start" is an outside call that starts work (a sync trigger, a `dbt build`): exactly-once is counted in
 * starts, on the tool's side. A worker killed right after a save is played by a reporter whose saveProgress
 * throws once the save is kept — what the engine's saveProgress does when the step was lost.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keyToString } from "../../catalog/model/index.ts";
import type { Launcher, StepOutcome, StepTarget } from "../../catalog/model/runs.ts";
import { createMemoryStepReporter, stepLaunch } from "./testing.ts";
import type { MemoryStepReporter } from "./testing.ts";

/** A launcher over a fresh tool, and the handles the contract needs on the tool's side. */
export interface LauncherContractHarness {
  readonly launcher: Launcher;
  /** The targets of one step, whose work succeeds unless told otherwise. */
  readonly targets: readonly StepTarget[];
  /** Outside calls that started work so far (the tool's own count: a simulator's triggers). */
  starts(): number;
  /** Outside calls of any kind so far (to see that calls stop after an abort). */
  requests(): number;
  /** The next work started fails in the tool (a sync error, a failing model). */
  failNext(): void;
  /** The next work started keeps going until close (so a step can be aborted while it follows it). */
  holdNext(): void;
  /** Credentials that must appear in no outcome message or log line. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}

const killed = new Error("worker killed (test)");

/** Registers the contract suite for one launcher; `setup` gives each check a fresh tool. */
export function launcherContract(name: string, setup: () => Promise<LauncherContractHarness>): void {
  describe(`${name} launcher contract`, () => {
    const withHarness = async (check: (harness: LauncherContractHarness) => Promise<void>) => {
      const harness = await setup();
      try {
        await check(harness);
      } finally {
        await harness.close();
      }
    };
    const assertClean = (harness: LauncherContractHarness, outcome: StepOutcome, report: MemoryStepReporter) => {
      const text = [outcome.message, ...report.logs.map((line) => `${line.message} ${JSON.stringify(line.data ?? null)}`)].join("\n");
      for (const secret of harness.secrets) assert.ok(!text.includes(secret), `a credential in the outcome or logs: ${text}`);
    };
    const targetKeySet = (harness: LauncherContractHarness) => new Set(harness.targets.map((t) => keyToString(t.assetKey)));

    it("succeeds with one start, saving progress before it and after it", async () => {
      await withHarness(async (harness) => {
        const base = harness.starts();
        const startsAtSave: number[] = [];
        const report = createMemoryStepReporter({ afterSave: () => void startsAtSave.push(harness.starts()) });
        const outcome = await harness.launcher.launch(stepLaunch(harness.targets, report));
        assert.equal(outcome.status, "succeeded", outcome.message);
        assert.deepEqual(outcome.failedKeys, []);
        assert.equal(harness.starts() - base, 1, "the tool was asked exactly once");
        assert.equal(startsAtSave[0], base, "progress was saved before the work was started");
        assert.ok(startsAtSave.some((n) => n > base), "progress was saved after the work was started");
        assertClean(harness, outcome, report);
      });
    });

    it("returns a failed outcome naming its targets when the tool fails, never throwing", async () => {
      await withHarness(async (harness) => {
        harness.failNext();
        const report = createMemoryStepReporter();
        const outcome = await harness.launcher.launch(stepLaunch(harness.targets, report));
        assert.equal(outcome.status, "failed");
        assert.ok(outcome.message.length > 0);
        assert.ok(outcome.failedKeys.length > 0, "the failed targets are named");
        const keys = targetKeySet(harness);
        for (const key of outcome.failedKeys) assert.ok(keys.has(keyToString(key)), `${keyToString(key)} is one of the step's targets`);
        assertClean(harness, outcome, report);
      });
    });

    it("taken over after a crash at any save (after it, or while writing it), never starts the work a second time", async () => {
      await withHarness(async (harness) => {
        const reference = createMemoryStepReporter();
        assert.equal((await harness.launcher.launch(stepLaunch(harness.targets, reference))).status, "succeeded");
        assert.ok(reference.progress.length > 0, "the launcher saves progress");
        for (let crashAt = 1; crashAt <= reference.progress.length; crashAt++) {
          for (const kept of [true, false]) {
            // Killed while writing the first save: nothing was saved, so the next attempt is a first one.
            if (!kept && crashAt === 1) continue;
            const when = `crash ${kept ? "after" : "while writing"} save ${crashAt}`;
            const base = harness.starts();
            const crash = (_progress: unknown, count: number) => {
              if (count === crashAt) throw killed;
            };
            const crashed = createMemoryStepReporter(kept ? { afterSave: crash } : { beforeSave: crash });
            await assert.rejects(harness.launcher.launch(stepLaunch(harness.targets, crashed)), (error) => error === killed, `${when}: the reporter's error is not swallowed`);
            const startedBeforeCrash = harness.starts() - base;
            const takeover = createMemoryStepReporter();
            const outcome = await harness.launcher.launch(stepLaunch(harness.targets, takeover, { resume: crashed.progress.at(-1)! }));
            const started = harness.starts() - base;
            // A takeover starts the work only when it knows none was started (dbt's pid file tells; a SaaS
            // trigger's fate before its answer does not, so those launchers never start it on a takeover).
            assert.ok(started === startedBeforeCrash || startedBeforeCrash === 0, `${when}: the taken-over step started the work again (${outcome.message})`);
            assert.ok(started <= 1, `${when}: the work was started at most once`);
            // Work that was started is followed to its end; work never started is not claimed as done.
            assert.equal(outcome.status, started === 1 ? "succeeded" : "failed", `${when}: ${outcome.message}`);
            assertClean(harness, outcome, takeover);
          }
        }
      });
    });

    it("is canceled without starting work when aborted before it starts", async () => {
      await withHarness(async (harness) => {
        const base = harness.starts();
        const controller = new AbortController();
        controller.abort(new Error("canceled"));
        const outcome = await harness.launcher.launch(stepLaunch(harness.targets, createMemoryStepReporter(), { signal: controller.signal }));
        assert.equal(outcome.status, "canceled", outcome.message);
        assert.equal(harness.starts(), base, "no work was started");
      });
    });

    it("is canceled while following its work, and stops calling the tool", async () => {
      await withHarness(async (harness) => {
        harness.holdNext();
        const base = harness.starts();
        const controller = new AbortController();
        const launched = harness.launcher.launch(stepLaunch(harness.targets, createMemoryStepReporter(), { signal: controller.signal }));
        // A loaded CI machine can take several seconds to start a tool's process (dbt): wait for it, not a guess.
        const waitUntil = Date.now() + 60_000;
        while (harness.starts() === base && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 5));
        assert.equal(harness.starts() - base, 1, "the work was started");
        await new Promise((resolve) => setTimeout(resolve, 20));
        controller.abort(new Error("canceled"));
        const outcome = await launched;
        assert.equal(outcome.status, "canceled", outcome.message);
        const calls = harness.requests();
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(harness.requests(), calls, "no call after the outcome");
      });
    });
  });
}
