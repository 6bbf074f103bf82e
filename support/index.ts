/** The entry of support/: small tools with no domain of their own: a directory lock, a string table (see docs/ARCHITECTURE.md). */
export * from "./dir-lock.ts";
export * from "./string-table.ts";
