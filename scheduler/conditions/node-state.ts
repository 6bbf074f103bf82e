/**
 * The typed state of each stateful node, and its stored form. A node's state is kept between ticks under its
 * id (NodeCursor: the node's value and `extra`); the stored form is unchanged from earlier releases, so
 * cursors written before still read. Each stateful node reads and writes its own type only through here.
 */
import type { Context } from "./context.ts";
import type { NodeCursor } from "./state.ts";
import type { CompiledNode } from "./tree.ts";

/** A node state type with its stored form. */
export interface NodeStateCodec<S> {
  /** The previous tick's state (the defaults when the node has none). */
  read(cursor: NodeCursor | undefined): S;
  /** The stored form of `state`. */
  write(state: S): NodeCursor["extra"];
}

/** `since`: its value is the latch; it remembers when its trigger and its reset were last true (for reasons). */
export interface SinceState {
  readonly lastTrigger: number | null;
  readonly lastReset: number | null;
}
export const sinceState: NodeStateCodec<SinceState> = {
  read: (cursor) => {
    const times = Array.isArray(cursor?.extra) ? (cursor.extra as readonly (number | null)[]) : [];
    return { lastTrigger: times[0] ?? null, lastReset: times[1] ?? null };
  },
  write: (state) => [state.lastTrigger, state.lastReset],
};

/** `newly_true`: whether its operand was true at the previous tick. */
export interface NewlyTrueState {
  readonly operandWasTrue: boolean;
}
export const newlyTrueState: NodeStateCodec<NewlyTrueState> = {
  read: (cursor) => ({ operandWasTrue: cursor?.extra === true }),
  write: (state) => state.operandWasTrue,
};

/** `code_version_changed`: the code version at the previous tick (undefined: never evaluated). */
export interface CodeVersionState {
  readonly version: string | null | undefined;
}
export const codeVersionState: NodeStateCodec<CodeVersionState> = {
  read: (cursor) => ({ version: cursor === undefined ? undefined : typeof cursor.extra === "string" ? cursor.extra : null }),
  write: (state) => state.version ?? null,
};

/** The legacy rules' state: materialize_on_missing remembers whether the missing asset was handled. */
export interface LegacyRuleState {
  readonly handled: boolean;
}
export const legacyRuleState: NodeStateCodec<LegacyRuleState> = {
  read: (cursor) => ({ handled: cursor?.extra === true }),
  write: (state) => state.handled,
};

/** The previous tick's value of a node (false when it has no state). */
export function previousValue(x: Context, id: string): boolean {
  return x.previousNodes[id]?.value === true;
}

/** Reads a node's previous state. */
export function readState<S>(x: Context, id: string, codec: NodeStateCodec<S>): S {
  return codec.read(x.previousNodes[id]);
}

/**
 * A node's stored state under its id, else under the id it had before ids became position-independent
 * ({@link CompiledNode.previousId}; `suffix` is the `@<dep>` of a node under a dependency).
 */
export function priorCursor(x: Context, c: CompiledNode, id: string, suffix: string): NodeCursor | undefined {
  return x.previousNodes[id] ?? (c.previousId === undefined ? undefined : x.previousNodes[c.previousId + suffix]);
}

/** Records a node's value and state for the next tick. */
export function writeState<S>(x: Context, id: string, value: boolean, codec: NodeStateCodec<S>, state: S): void {
  x.nodes[id] = { value, extra: codec.write(state) };
}

/** A node that keeps only its value (legacy materialize_on_parent_updated). */
export const valueOnly: NodeStateCodec<null> = { read: () => null, write: () => null };
