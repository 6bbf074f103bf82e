/**
 * The logging the store needs, as a structural interface: a pino logger fits it, and so does a test double.
 * The store never imports a logging library, so it stays usable from scripts and tests without one.
 */

/** Fields first, message second, as pino takes them. */
export interface StoreLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything: the default when the caller passes none. */
export const silentLogger: StoreLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
