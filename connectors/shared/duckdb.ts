/**
 * Short-lived connections to a DuckDB warehouse file, shared by the simulators (Fivetran lands rows, Census
 * reads them). DuckDB lets one process write a file at a time, and dbt (dbt-duckdb) writes the same file, so a
 * connection is held only for one operation, and opening it retries with backoff while another process holds
 * the lock.
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

export interface WarehouseOpenOptions {
  /** Attempts to open the file while another process holds its lock (default 20). */
  readonly lockAttempts?: number;
  /** First wait between attempts, doubled each time up to 2 s (default 50 ms). */
  readonly lockRetryDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Opens the file read-only (DuckDB's access_mode READ_ONLY): for readers that must never write it. */
  readonly readOnly?: boolean;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Quotes an identifier for DuckDB SQL (`order` is a reserved word). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** True for DuckDB's "could not set lock on file … conflicting lock is held" family of errors. */
export function isLockConflict(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /lock/i.test(message) && /(conflict|could not set|held)/i.test(message);
}

/** Opens the file, retrying with backoff while another process holds it. */
export async function openWarehouse(
  path: string,
  options: WarehouseOpenOptions = {},
): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection; close(): void }> {
  const { lockAttempts = 20, lockRetryDelayMs = 50, sleep = defaultSleep, readOnly = false } = options;
  // Imported on first use, not at start: the native module takes ≈0.3 s to load and most servers open no DuckDB file.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  for (let attempt = 1; ; attempt++) {
    try {
      const instance = readOnly ? await DuckDBInstance.create(path, { access_mode: "READ_ONLY" }) : await DuckDBInstance.create(path);
      const connection = await instance.connect();
      return {
        instance,
        connection,
        close() {
          connection.closeSync();
          instance.closeSync();
        },
      };
    } catch (error) {
      if (!isLockConflict(error) || attempt >= lockAttempts) throw error;
      await sleep(Math.min(2000, lockRetryDelayMs * 2 ** (attempt - 1)));
    }
  }
}

