/** The entry of catalog/graph: what other parts may use of it (see docs/ARCHITECTURE.md). */
export * from "./build.ts";
export * from "./order.ts";
export * from "./topo.ts";
export * from "./types.ts";
