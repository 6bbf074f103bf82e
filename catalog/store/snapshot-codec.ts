/**
 * How a location's definitions are stored: one JSON document, gzip-compressed, in a bytea column.
 *
 * Why not jsonb: a snapshot is written and read whole (the graph is rebuilt from all of it), never queried
 * inside, so jsonb's parsing buys nothing and costs a lot. Measured on a 51 MB snapshot (33,000 models):
 * jsonb took 3.2 s to insert on Postgres and 8 s on PGlite and occupied 15.7 MB; gzip'd JSON is 6 MB and
 * inserts in well under a second on both (see README.md for the figures). Compression runs on libuv's thread
 * pool (async zlib), so a save does not freeze the server's event loop for its duration.
 *
 * The content hash covers exactly the stored JSON, which leaves out the load's time and duration: reloading
 * an unchanged project gives the same hash, and the store records the load without a second copy.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { promisify } from "node:util";
import { createGzip, gunzip } from "node:zlib";
import type { ZlibOptions } from "node:zlib";
import type { Diagnostic, LocationDefinitions, LocationRef, AssetSpec } from "../model/index.ts";
import { CompactColumnLineage, hasLazyColumns, peekColumns } from "../model/index.ts";
import { StoreError } from "./errors.ts";

const gunzipAsync = promisify(gunzip);

/** The value of `definition_snapshots.encoding` for snapshots written by this code. */
export const SNAPSHOT_ENCODING = "json+gzip";

/**
 * The version of the payload's shape. Bump it (and teach {@link decodeSnapshot} to read the old one) when
 * the model's types change in a way old snapshots do not satisfy; a snapshot is then upgraded as it is read.
 */
export const SNAPSHOT_FORMAT_VERSION = 2;

// Level 3: measured on 51 MB of definitions, 6.0 MB in ~0.7 s, against 7.4 MB in ~1.5 s at level 6 and
// 10.7 MB at level 1. Both engines' write time grows with the compressed size, so the middle wins.
const GZIP_LEVEL = 3;

/** What a snapshot holds: everything a location said, without when and how long the load took. */
export interface SnapshotPayload {
  readonly formatVersion: number;
  readonly location: LocationRef;
  readonly specs: readonly AssetSpec[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Version 2: metadata values kept encoded ({@link CompactColumnLineage}: a model's column lineage, ≈ 75 % of a
 * 10k-model snapshot's JSON in its plain form) are stored encoded, out of band: the spec's metadata holds null
 * at the value's key (so its keys keep their order) and `compactColumnLineage` lists `[spec index, key,
 * followed, reason, encoded]`, made into the value again when read. Nothing in the metadata itself is ever
 * read as anything but what it is. Version 1 has no such list.
 */
type CompactEntry = [specIndex: number, key: string, followed: boolean, reason: string | null, encoded: string];

/** A location's definitions serialized, hashed and compressed, ready to compare with stored snapshots. */
export interface SerializedSnapshot {
  readonly locationName: string;
  /** sha256 (hex) of the JSON. */
  readonly contentHash: string;
  /** The JSON, gzip'd: what is stored. */
  readonly compressed: Buffer;
  /** The JSON's length in bytes. */
  readonly jsonBytes: number;
  readonly assetCount: number;
  readonly diagnosticCount: number;
}

/**
 * Serialized by {@link prepareSnapshot} and not yet taken by {@link serializeSnapshot}: the catalog serializes a
 * load's definitions to build its graph (the digest) before it stores them, and that serializes them once.
 */
const serialized = new WeakMap<LocationDefinitions, Promise<SerializedSnapshot>>();
/** The content hash of every definitions object serialized in this process (kept, served definitions: hashed once). */
const hashes = new WeakMap<LocationDefinitions, string>();

/**
 * The content hash the definitions' stored snapshot has (the graph carries it: CatalogGraph.definitionsDigest):
 * known once {@link prepareSnapshot} (or a save) has serialized them; else computed here by a pass that keeps
 * nothing but the hash.
 */
export function definitionsContentHash(definitions: LocationDefinitions): string {
  const known = hashes.get(definitions);
  if (known !== undefined) return known;
  const hash = createHash("sha256");
  for (const bytes of snapshotBytes(definitions)) hash.update(bytes);
  const contentHash = hash.digest("hex");
  hashes.set(definitions, contentHash);
  return contentHash;
}

/**
 * Serializes definitions about to be stored, ahead of the save, so that their content hash is known to
 * {@link definitionsContentHash} (the graph's digest) and the save takes this serialization.
 */
export async function prepareSnapshot(definitions: LocationDefinitions): Promise<void> {
  if (hashes.has(definitions) && !serialized.has(definitions)) {
    // Hashed already (served before): serialized again only if a save asks.
    return;
  }
  let pending = serialized.get(definitions);
  if (pending === undefined) {
    pending = writeSnapshot(definitions);
    serialized.set(definitions, pending);
    // A failure is the save's to report (it takes the promise); here it only must not go unhandled.
    pending.catch(() => {});
  }
  await pending.catch(() => {});
}

/** Serializes, hashes and compresses one location's definitions (the serialization {@link prepareSnapshot} began, if any). */
export function serializeSnapshot(definitions: LocationDefinitions): Promise<SerializedSnapshot> {
  const pending = serialized.get(definitions);
  if (pending !== undefined) {
    serialized.delete(definitions);
    return pending;
  }
  return writeSnapshot(definitions);
}

/**
 * The JSON is JSON.stringify of the {@link SnapshotPayload}, written a spec at a time: a spec whose columns are
 * still to be made (catalog/model/lazy-columns.ts) is written with columns made for it alone and not kept, so
 * the snapshot of a large manifest never holds all of its columns at once, and the catalog does not keep them.
 * Each megabyte is hashed and handed to gzip on libuv's thread pool as it is made, and the main thread yields
 * while gzip catches up: neither the whole JSON (≈ 200 MB at 10k heavy models) nor seconds of the event loop
 * are held.
 */
async function writeSnapshot(definitions: LocationDefinitions): Promise<SerializedSnapshot> {
  const hash = createHash("sha256");
  // (zlib passes its options on to the stream: the types leave out the stream's own.)
  const gzip = createGzip({ level: GZIP_LEVEL, writableHighWaterMark: GZIP_BUFFERED } as ZlibOptions);
  const compressed: Buffer[] = [];
  gzip.on("data", (piece: Buffer) => compressed.push(piece));
  const done = finished(gzip);
  let jsonBytes = 0;
  try {
    for (const bytes of snapshotBytes(definitions)) {
      hash.update(bytes);
      jsonBytes += bytes.length;
      if (!gzip.write(bytes)) await once(gzip, "drain");
    }
    gzip.end();
    await done;
  } catch (error) {
    gzip.destroy();
    await done.catch(() => {});
    throw error;
  }
  const contentHash = hash.digest("hex");
  hashes.set(definitions, contentHash);
  return {
    locationName: definitions.location.name,
    contentHash,
    compressed: compressed.length === 1 ? compressed[0]! : Buffer.concat(compressed),
    jsonBytes,
    assetCount: definitions.specs.length,
    diagnosticCount: definitions.diagnostics.length,
  };
}

/** The snapshot's JSON as UTF-8, about {@link WRITE_BATCH} characters a piece. */
function* snapshotBytes(definitions: LocationDefinitions): Generator<Buffer> {
  const location: LocationRef = { name: definitions.location.name, kind: definitions.location.kind, origin: definitions.location.origin };
  let pending = "";
  const compact: CompactEntry[] = [];
  const texts = function* (): Generator<string> {
    yield `{"formatVersion":${JSON.stringify(SNAPSHOT_FORMAT_VERSION)},"location":${JSON.stringify(location)},"specs":[`;
    for (let index = 0; index < definitions.specs.length; index++) yield (index === 0 ? "" : ",") + stringifySpec(definitions.specs[index]!, index, compact);
    yield `],"diagnostics":${JSON.stringify(definitions.diagnostics)}`;
    if (compact.length === 0) {
      yield "}";
      return;
    }
    // The same text as JSON.stringify(compact), an entry at a time: at 10k models the whole list was one string
    // of ≈ 100 MB (the encoded lineage, its quotes escaped) and its bytes another, the serve's peak of memory.
    yield `,"compactColumnLineage":[`;
    for (let index = 0; index < compact.length; index++) yield (index === 0 ? "" : ",") + JSON.stringify(compact[index]);
    yield "]}";
  };
  const parts = texts();
  for (;;) {
    let next: IteratorResult<string>;
    try {
      next = parts.next();
    } catch (error) {
      // A BigInt or a cycle in some spec's metadata: the connector broke the "JSON-serializable" contract.
      throw new StoreError(
        "invalid_input",
        `The definitions of location "${definitions.location.name}" are not JSON-serializable: ${error instanceof Error ? error.message : String(error)}`,
        { locationName: definitions.location.name },
        { cause: error },
      );
    }
    if (next.done) break;
    pending += next.value;
    if (pending.length < WRITE_BATCH) continue;
    yield Buffer.from(pending, "utf8");
    pending = "";
  }
  if (pending !== "") yield Buffer.from(pending, "utf8");
}

/** How much JSON waits for gzip before the writer yields to it (and to the event loop). */
const GZIP_BUFFERED = 4 << 20;

/** Text is turned into bytes (and hashed) this many characters at a time. */
const WRITE_BATCH = 1 << 20;

/**
 * JSON.stringify(spec), making columns still to be made for this text only (the same keys in the same order),
 * and with each metadata value kept encoded written as null, its encoded form added to `compact`.
 */
function stringifySpec(spec: AssetSpec, index: number, compact: CompactEntry[]): string {
  const lazy = hasLazyColumns(spec);
  let metadata: Record<string, unknown> | null = null;
  for (const key in spec.metadata) {
    const value = spec.metadata[key];
    if (!(value instanceof CompactColumnLineage)) continue;
    metadata ??= { ...spec.metadata };
    metadata[key] = null;
    compact.push([index, key, value.followed, value.reason, value.encoded]);
  }
  if (!lazy && metadata === null) return JSON.stringify(spec);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(spec)) {
    copy[key] = key === "columns" && lazy ? peekColumns(spec) : key === "metadata" && metadata !== null ? metadata : spec[key as keyof AssetSpec];
  }
  return JSON.stringify(copy);
}

/** Decodes a stored snapshot; throws `snapshot_unreadable` for an unknown encoding or version, or bad bytes. */
export async function decodeSnapshot(stored: {
  readonly id: number;
  readonly encoding: string;
  readonly formatVersion: number;
  readonly payload: Uint8Array;
}): Promise<SnapshotPayload> {
  if (stored.encoding !== SNAPSHOT_ENCODING || stored.formatVersion > SNAPSHOT_FORMAT_VERSION) {
    throw new StoreError(
      "snapshot_unreadable",
      `Definitions snapshot ${stored.id} is stored as ${stored.encoding} version ${stored.formatVersion}, which this ` +
        `version of Tributary cannot read (it writes ${SNAPSHOT_ENCODING} version ${SNAPSHOT_FORMAT_VERSION}). Upgrade Tributary.`,
      { snapshotId: stored.id, encoding: stored.encoding, formatVersion: stored.formatVersion },
    );
  }
  let payload: unknown;
  try {
    const json = await gunzipAsync(stored.payload);
    payload = JSON.parse(json.toString("utf8"));
  } catch (error) {
    throw new StoreError(
      "snapshot_unreadable",
      `Definitions snapshot ${stored.id} is corrupt: ${error instanceof Error ? error.message : String(error)}`,
      { snapshotId: stored.id },
      { cause: error },
    );
  }
  // Only the envelope is checked: the content was valid definitions when it was written, gzip's CRC guards
  // the bytes since, and checking 50,000 specs field by field on every start would cost seconds.
  if (!isPayload(payload)) {
    throw new StoreError("snapshot_unreadable", `Definitions snapshot ${stored.id} does not hold definitions.`, { snapshotId: stored.id });
  }
  const { compactColumnLineage: compact, ...definitions } = payload as SnapshotPayload & { compactColumnLineage?: unknown };
  if (compact !== undefined) {
    if (!Array.isArray(compact)) throw new StoreError("snapshot_unreadable", `Definitions snapshot ${stored.id} has a malformed compactColumnLineage.`, { snapshotId: stored.id });
    for (const entry of compact as CompactEntry[]) {
      const metadata = definitions.specs[entry[0]]?.metadata as Record<string, unknown> | undefined;
      if (metadata === undefined || metadata[entry[1]] !== null) {
        throw new StoreError("snapshot_unreadable", `Definitions snapshot ${stored.id} has a compact value for spec ${entry[0]}'s ${JSON.stringify(entry[1])}, which holds no placeholder.`, { snapshotId: stored.id });
      }
      metadata[entry[1]] = new CompactColumnLineage(entry[2], entry[3], entry[4]);
    }
  }
  return definitions;
}

function isPayload(value: unknown): value is SnapshotPayload {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<keyof SnapshotPayload, unknown>>;
  const location = candidate.location as Partial<Record<keyof LocationRef, unknown>> | null | undefined;
  return (
    typeof candidate.formatVersion === "number" &&
    typeof location === "object" &&
    location !== null &&
    typeof location.name === "string" &&
    typeof location.kind === "string" &&
    typeof location.origin === "string" &&
    Array.isArray(candidate.specs) &&
    Array.isArray(candidate.diagnostics)
  );
}
