/**
 * A large manifest's node columns held as the manifest's bytes until first read (connectors/dbt/manifest.ts
 * readManifestPieces). Its own module, without the manifest schema, so the column-lineage worker can read
 * column names through it without loading zod.
 */
import type { ManifestColumn, ManifestNode } from "./manifest.ts";

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

/**
 * A node's columns for a reader that passes over them once (column lineage reads their names): parsed from
 * the held bytes without being kept when they are held, so the manifest does not keep them as objects.
 * (Unstripped: read only declared fields.)
 */
export function readNodeColumns(node: ManifestNode): Readonly<Record<string, ManifestColumn>> | null | undefined {
  const held = heldByNode.get(node);
  return held === undefined ? node.columns : (JSON.parse(held.text()) as Record<string, ManifestColumn>);
}
