// Types of ./build-cli.mjs (plain Node, so bin/tributary.js can use it without a TypeScript loader).
/** server/cli.ts, the bundle's entry point. */
export declare const CLI_ENTRY: string;
/** dist/tributary.js, the compiled command. */
export declare const CLI_BUNDLE: string;
/** Whether dist/tributary.js exists and is newer than every file it was built from. */
export declare function cliBundleIsFresh(): boolean;
/** Builds dist/tributary.js and resolves with its path. */
export declare function buildCli(): Promise<string>;
