/** The entry of connectors/dbt: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./build-launcher.ts";
export { COMPILED_CODE_FILE, keepCompiledCode, withKeptCompiledCode } from "./compiled-code.ts";
export * from "./manifest-provider.ts";
export * from "./project-provider.ts";
export * from "./run-results.ts";
export * from "./runtime.ts";
export * from "./tool-state.ts";
export { parseManifest, readManifestFile } from "./manifest.ts";
export { translateManifest } from "./translator.ts";
export type { DbtManifest } from "./manifest.ts";
export * from "./column-lineage.ts";
export * from "./manifest-column-lineage.ts";
export { COLUMN_LINEAGE_FOLLOW_UP, columnLineageFollowUp, createColumnLineageCache } from "./column-lineage-follow-up.ts";
export type { ColumnLineageCache } from "./column-lineage-follow-up.ts";
export { analyseInWorker } from "./column-lineage-thread.ts";
