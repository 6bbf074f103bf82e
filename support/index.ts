/** The entry of support/: small process-level tools with no domain of their own (see docs/ARCHITECTURE.md). */
export * from "./dir-lock.ts";
