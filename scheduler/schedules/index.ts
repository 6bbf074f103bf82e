/** The entry of scheduler/schedules: jobs and schedules resolved over the graph, and fired from the daemon's tick. */
export * from "./fire.ts";
export * from "./resolve.ts";
export * from "./ticks.ts";
