/**
 * The contract every SaaS client built on ./http-client.ts must keep, as one test suite each connector runs
 * against its own simulator over loopback (so copy-pasted connectors cannot drift apart): retries on 429
 * honouring `Retry-After`, a cap on long waits, retries on 5xx, no retries on other 4xx, timeouts, 401 as
 * `unauthorized`, and no credential in any error.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isApiError } from "./http-client.ts";

/** A fault the connector's simulator can inject into its next matching requests. */
export interface ContractFault {
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly delayMs?: number;
  readonly times?: number;
}

/** One running simulator with a client pointed at it. */
export interface ContractHarness {
  inject(fault: ContractFault): void;
  /** A cheap read call of the client (a GET of one object). */
  call(): Promise<unknown>;
  /** The same call through a client with wrong credentials. */
  callWithBadCredentials(): Promise<unknown>;
  /** Requests the simulator has answered so far. */
  requestCount(): number;
  close(): Promise<void>;
}

export interface HttpContractSubject {
  /** "Fivetran", "Census". */
  readonly name: string;
  /** Every credential string that must never appear in an error. */
  readonly secrets: readonly string[];
  /**
   * Starts a simulator and a client with these settings: `sleep` replaces the client's waits (record them),
   * `timeoutMs` is the per-request timeout, `maxRetries` 3, `maxRetryAfterMs` 60 s.
   */
  start(settings: { readonly sleep: (ms: number) => Promise<void>; readonly timeoutMs: number }): Promise<ContractHarness>;
}

function assertNoSecret(error: unknown, secrets: readonly string[]): void {
  const text = `${String(error)}\n${error instanceof Error ? (error.stack ?? "") : ""}\n${JSON.stringify(error)}`;
  for (const secret of secrets) assert.ok(!text.includes(secret), `an error contains a credential: ${text}`);
}

/** Registers the contract suite for one connector. */
export function describeHttpClientContract(subject: HttpContractSubject): void {
  describe(`${subject.name} HTTP client contract`, () => {
    const withHarness = async (fn: (harness: ContractHarness, waits: number[]) => Promise<void>, timeoutMs = 5_000) => {
      const waits: number[] = [];
      const harness = await subject.start({
        sleep: async (ms) => {
          waits.push(ms);
        },
        timeoutMs,
      });
      try {
        await fn(harness, waits);
      } finally {
        await harness.close();
      }
    };

    it("retries a 429 after the Retry-After it was given", () =>
      withHarness(async (harness, waits) => {
        harness.inject({ status: 429, retryAfterSeconds: 7, times: 2 });
        await harness.call();
        assert.deepEqual(waits, [7000, 7000]);
        assert.equal(harness.requestCount(), 3);
      }));

    it("fails at once with rate_limited when Retry-After is longer than it may wait", () =>
      withHarness(async (harness, waits) => {
        harness.inject({ status: 429, retryAfterSeconds: 3600 });
        await assert.rejects(harness.call(), (error) => {
          assert.ok(isApiError(error, "rate_limited"), String(error));
          assert.equal(error.details.retryAfterMs, 3_600_000);
          assert.match(error.message, /retry after 3600 s/);
          assertNoSecret(error, subject.secrets);
          return true;
        });
        assert.deepEqual(waits, []);
      }));

    it("retries 5xx with growing backoff, then gives up naming the endpoint", () =>
      withHarness(async (harness, waits) => {
        harness.inject({ status: 503, times: 2 });
        await harness.call();
        assert.equal(waits.length, 2);
        assert.ok(waits[1]! > waits[0]!, `backoff grows: ${waits.join(", ")}`);
        harness.inject({ status: 500, times: 10 });
        await assert.rejects(harness.call(), (error) => {
          assert.ok(isApiError(error, "http_error"), String(error));
          assert.equal(error.details.status, 500);
          assert.match(error.message, /GET \/\S+/);
          assertNoSecret(error, subject.secrets);
          return true;
        });
      }));

    it("does not retry other 4xx", () =>
      withHarness(async (harness, waits) => {
        const before = harness.requestCount();
        harness.inject({ status: 400, times: 5 });
        await assert.rejects(harness.call(), (error) => isApiError(error, "http_error") && error.details.status === 400);
        assert.equal(harness.requestCount() - before, 1);
        assert.deepEqual(waits, []);
      }));

    it("times out a request that hangs, retries it, and reports a timeout", () =>
      withHarness(async (harness) => {
        harness.inject({ delayMs: 400, times: 10 });
        await assert.rejects(harness.call(), (error) => {
          assert.ok(isApiError(error, "timeout"), String(error));
          assertNoSecret(error, subject.secrets);
          return true;
        });
      }, 100));

    it("reports bad credentials as unauthorized without echoing any credential", () =>
      withHarness(async (harness) => {
        await assert.rejects(harness.callWithBadCredentials(), (error) => {
          assert.ok(isApiError(error, "unauthorized"), String(error));
          assert.equal(error.details.status, 401);
          assertNoSecret(error, subject.secrets);
          return true;
        });
      }));
  });
}
