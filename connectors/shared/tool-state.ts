/**
 * A connector's tool state, typed once. What a tool says about an asset (a Fivetran connector's sync state, a
 * Census sync's mappings, a dbt node's materialization) travels as asset metadata under the tool's prefix
 * (`fivetran/sync_state`), because specs and events are stored and shown as plain JSON, the way Dagster keeps
 * tool facts in asset metadata. The keys and their types are declared here once, per connector: the translator
 * and the launcher write through {@link ToolStateSchema.write} (a misspelt field fails the typecheck), and the
 * GraphQL module reads through {@link ToolStateSchema.read} (a value of the wrong type, e.g. from a snapshot
 * stored by an older release, reads as null instead of leaking into the answer).
 */
import { z } from "zod";

/** The typed fields of a tool state: each declared field, or null when absent or not of its type. */
export type ToolStateOf<Shape extends z.ZodRawShape> = { readonly [K in keyof Shape]: z.output<Shape[K]> | null };

/** What may be written: any subset of the fields, null meaning "the tool did not say". */
export type ToolStateInput<Shape extends z.ZodRawShape> = { readonly [K in keyof Shape]?: z.input<Shape[K]> | null };

export interface ToolStateSchema<Shape extends z.ZodRawShape> {
  /** The tool, and the metadata keys' prefix: "fivetran" → `fivetran/…`. */
  readonly tool: string;
  readonly shape: Shape;
  /** The metadata key of a field: `fivetran/sync_state`. */
  key(field: keyof Shape & string): string;
  /** The metadata entries of these fields (fields left out are not written; null is written as null). */
  write(state: ToolStateInput<Shape>): Record<string, unknown>;
  /** Every declared field read from metadata; absent or mistyped fields are null. */
  read(metadata: Readonly<Record<string, unknown>>): ToolStateOf<Shape>;
}

/** Declares a tool state: `defineToolState("fivetran", { sync_state: z.string(), paused: z.boolean() })`. */
export function defineToolState<Shape extends z.ZodRawShape>(tool: string, shape: Shape): ToolStateSchema<Shape> {
  const fields = Object.keys(shape) as (keyof Shape & string)[];
  const key = (field: keyof Shape & string) => `${tool}/${field}`;
  return {
    tool,
    shape,
    key,
    write(state) {
      const metadata: Record<string, unknown> = {};
      for (const field of fields) {
        if (!Object.hasOwn(state, field)) continue;
        const value = state[field];
        metadata[key(field)] = value === undefined ? null : value;
      }
      return metadata;
    },
    read(metadata) {
      const state: Record<string, unknown> = {};
      for (const field of fields) {
        const value = metadata[key(field)];
        const parsed = value === undefined || value === null ? null : z.safeParse(shape[field]!, value);
        state[field] = parsed?.success ? parsed.data : null;
      }
      return state as ToolStateOf<Shape>;
    },
  };
}
