/**
 * The store's one error type, and the redaction of connection strings in everything it says.
 *
 * Every failure the store expects (a database it cannot reach, a migration history it does not recognise, a
 * snapshot it cannot decode) is a {@link StoreError} with a stable `code`, so the server can map it once to a
 * response and tests can assert on the code rather than on wording.
 */

/** Stable, machine-readable codes of {@link StoreError}. */
export type StoreErrorCode =
  /** Options that cannot work (a bad schema name, a malformed database URL…). */
  | "invalid_options"
  /** The Postgres server could not be reached or refused us. */
  | "connection_failed"
  /** Another process (or this one) already has the embedded database's data directory open. */
  | "data_dir_locked"
  /** A statement failed in the database; `context.sqlState` holds Postgres's SQLSTATE when there is one. */
  | "query_failed"
  /** The store (or a transaction's client) was used after it was closed. */
  | "closed"
  /** The outer client was used inside its own transaction on the single-connection embedded database. */
  | "wrong_client_in_transaction"
  /** A migration file in the code is malformed (bad name, duplicate or missing number). */
  | "migration_invalid"
  /** An applied migration's recorded checksum differs from the file in the code. */
  | "migration_checksum_mismatch"
  /** The database records a migration this code does not know: it was migrated by a newer Tributary. */
  | "database_newer_than_code"
  /** A migration failed to apply; the database is left at the previous migration. */
  | "migration_failed"
  /** Input to a store method that cannot be stored (a duplicate location in one batch, a bad timestamp…). */
  | "invalid_input"
  /** A stored definitions snapshot could not be decoded (unknown format, corrupt payload). */
  | "snapshot_unreadable";

/** An expected failure of the store, with a stable code and the context needed to act on it. */
export class StoreError extends Error {
  override readonly name = "StoreError";
  readonly code: StoreErrorCode;
  /** Facts about the failure (host, database, migration number, SQLSTATE…); never a secret. */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: StoreErrorCode,
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = context;
  }
}

/** True when `error` is a {@link StoreError}, optionally with the given code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}

const REDACTED = "***";

/**
 * A database URL safe to print: the password (in the user-info part or a `password=` query parameter) is
 * replaced by `***`. Works on malformed URLs too, because those are exactly the ones that end up in errors.
 */
export function redactDatabaseUrl(url: string): string {
  // Plain string work rather than `new URL`, which rejects strings libpq accepts (several hosts, unix
  // sockets, an unencoded "/" or "@" in a password) and would then leave exactly those unredacted.
  let redacted = url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (scheme) {
    const rest = url.slice(scheme[0].length);
    const queryStart = rest.indexOf("?");
    const beforeQuery = queryStart === -1 ? rest : rest.slice(0, queryStart);
    // The last "@" before the query ends the user-info, even when the password holds a raw "@" or "/".
    const at = beforeQuery.lastIndexOf("@");
    const colon = at === -1 ? -1 : beforeQuery.indexOf(":");
    if (at !== -1 && colon !== -1 && colon < at) {
      redacted = `${scheme[0]}${rest.slice(0, colon)}:${REDACTED}${rest.slice(at)}`;
    }
  }
  return redacted.replace(/([?&]password=)[^&#]*/gi, `$1${REDACTED}`);
}

/** Removes every occurrence of `secret` (when there is one) from `text`. */
export function scrubSecret(text: string, secret: string | null | undefined): string {
  return secret ? text.split(secret).join(REDACTED) : text;
}
