/**
 * Request rate limits per caller, on rate-limiter-flexible: in memory for the embedded store (one process owns
 * it), and in the Postgres store when there is one, so every `tributary serve` on it counts against the same
 * budget. Each caller gets `perMinute` requests in a minute that starts with its first request.
 *
 * On Postgres the counters are rows of one small table (`rate_limits`: key, points, expire), which the library
 * creates when missing (CREATE TABLE IF NOT EXISTS, in the store's schema) and clears of expired rows every five
 * minutes: counters a minute old are worth nothing, so they are kept out of the store's migrations. Each counted
 * request is one INSERT … ON CONFLICT through the store's pool; a caller over its budget is then turned away
 * from memory until its minute ends (no more writes), and if Postgres fails a request is counted in memory.
 */
import type { Logger } from "pino";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { SqlClient } from "../../catalog/store/index.ts";

export interface RequestLimiter {
  /** Counts one request of `key`; resolves null when it is allowed, else the milliseconds until it would be. */
  consume(key: string): Promise<number | null>;
  /** Whether the budget is shared by every process on the store. */
  readonly shared: boolean;
}

const WINDOW_SECONDS = 60;
export const RATE_LIMIT_TABLE = "rate_limits";

async function consumeWith(limiter: RateLimiterMemory | RateLimiterPostgres, key: string, logger: Logger | null): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (outcome) {
    if (outcome instanceof RateLimiterRes) return Math.max(1, outcome.msBeforeNext);
    // The store failed and so did the insurance: let the request through rather than refuse everyone.
    logger?.warn({ component: "security", error: outcome instanceof Error ? outcome.message : String(outcome) }, "the rate limiter failed; the request is let through");
    return null;
  }
}

/** Counts in this process's memory. */
export function createMemoryLimiter(perMinute: number): RequestLimiter {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: WINDOW_SECONDS });
  return { shared: false, consume: (key) => consumeWith(limiter, key, null) };
}

/**
 * Counts in the Postgres store, through its own pool (a client whose `query` the library calls as pg's with
 * `{text, values}`), with a memory limiter as insurance. Resolves once the table exists.
 */
export async function createPostgresLimiter(client: SqlClient, perMinute: number, logger: Logger): Promise<RequestLimiter> {
  const pool = {
    async query({ text, values }: { text: string; values?: unknown[] }) {
      try {
        return { rows: await client.query(text, values ?? []) };
      } catch (error) {
        // The library reads pg's `code` (SQLSTATE): 23505 on CREATE TABLE is another process creating it too.
        const sqlState = /\(SQLSTATE (\w{5})\)/.exec(error instanceof Error ? error.message : "")?.[1];
        throw Object.assign(new Error(error instanceof Error ? error.message : String(error), { cause: error }), { code: sqlState });
      }
    },
  };
  const limiter = await new Promise<RateLimiterPostgres>((resolve, reject) => {
    const created: RateLimiterPostgres = new RateLimiterPostgres(
      {
        storeClient: pool,
        storeType: "pool",
        tableName: RATE_LIMIT_TABLE,
        ...(client.schema !== null ? { schemaName: client.schema } : {}),
        keyPrefix: "tributary",
        points: perMinute,
        duration: WINDOW_SECONDS,
        // Over budget: turned away from memory until the minute ends, without a write per request.
        inMemoryBlockOnConsumed: perMinute + 1,
        insuranceLimiter: new RateLimiterMemory({ points: perMinute, duration: WINDOW_SECONDS }),
      },
      (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(created)),
    );
  });
  return { shared: true, consume: (key) => consumeWith(limiter, key, logger) };
}
