/**
 * A large manifest's node columns held as the manifest's bytes until first read (connectors/dbt/manifest.ts
 * readManifestPieces). Its own module, without the manifest schema, so the column-lineage worker can read
 * column names from them without loading zod.
 */
import type { ManifestNode } from "./manifest.ts";

/**
 * Where text kept as bytes lies (a node's held `columns` object; a model's compiled SQL for column lineage): a
 * plain object, so it crosses to a worker thread as it is; when the bytes are in a SharedArrayBuffer, without a copy.
 */
export interface HeldBytes {
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly encoding: "latin1" | "utf8";
}

/** A node's `columns` object as the manifest's bytes, not yet parsed. */
export class HeldColumns {
  constructor(
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
    private readonly encoding: "latin1" | "utf8",
  ) {}

  /** The JSON text of the `columns` object. */
  text(): string {
    return this.bytes.toString(this.encoding, this.start, this.end);
  }

  /** Where the bytes lie, for a reader on another thread ({@link heldText}). */
  where(): HeldBytes {
    return { bytes: this.bytes, start: this.start, end: this.end, encoding: this.encoding };
  }
}

/** The text of held bytes (on any thread: a Buffer arrives there as a Uint8Array). */
export function heldText(held: HeldBytes): string {
  return Buffer.from(held.bytes.buffer, held.bytes.byteOffset, held.bytes.byteLength).toString(held.encoding, held.start, held.end);
}

/** The columns of each node not yet read (readManifestPieces keeps them so; its accessor drops them once read). */
export const heldByNode = new WeakMap<object, HeldColumns>();

/**
 * A node's `columns` while they are held unread (a large manifest read in pieces), else undefined: the
 * translator makes column specs from their text when they are first asked for.
 */
export function heldColumns(node: ManifestNode): HeldColumns | undefined {
  return heldByNode.get(node);
}
