/**
 * An asset cursor survives its stored form (the rows and the stop snapshot): every field comes back, so a restarted
 * daemon's first tick sees what the previous process's next tick would have. The cursor below is typed
 * Required<AssetCursor>: a field added to AssetCursor fails this file's typecheck until it is covered here.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { assetCursor } from "../conditions/index.ts";
import type { AssetCursor } from "../conditions/index.ts";
import type { SqlClient } from "../../catalog/store/index.ts";
import { CursorCache, decodeSnapshot, encodeSnapshot, fromStored, toStored } from "./tick-state.ts";

describe("asset cursors in their stored form", () => {
  const head = { evaluationId: 7, evaluatedAt: 1_796_300_000_000, lastEventId: 420 };
  const full: Required<AssetCursor> = {
    treeHash: "t1",
    previousRequested: true,
    effectiveTime: 1_796_299_000_000,
    lastEventId: 411,
    nodes: { "n:0": { value: true, state: [1, 2] } } as unknown as AssetCursor["nodes"],
    settled: 12345,
    value: true,
    valueHash: 987,
    lastRequestedAt: 1_796_298_000_000,
    partitionsKey: "daily|2026-09-01|UTC;",
    requestedPartitions: [[3, 5], [9, 9]],
  };
  // What evaluate() builds for the same fields (every cursor is built by assetCursor): its fields' order.
  const built = assetCursor(
    full.treeHash,
    full.previousRequested,
    full.effectiveTime,
    full.lastEventId,
    full.nodes,
    full.settled,
    full.value,
    full.valueHash,
    full.lastRequestedAt,
    full.partitionsKey,
    full.requestedPartitions,
  );

  test("every field comes back, through JSON as the store holds it", () => {
    const stored = JSON.parse(JSON.stringify(toStored(full, head))) as ReturnType<typeof toStored>;
    assert.deepEqual(fromStored(stored, head), full);
  });

  test("times equal to the head's are left out of the row and restored from it", () => {
    const atHead: AssetCursor = { ...full, effectiveTime: head.evaluatedAt, lastEventId: head.lastEventId };
    const stored = toStored(atHead, head);
    assert.equal("effectiveTime" in stored, false);
    assert.equal("lastEventId" in stored, false);
    assert.deepEqual(fromStored(stored, head), atHead);
  });

  test("the stop snapshot gives back what the rows give back, cursors and events, at its head only", () => {
    const shared = { "n:1": { value: false, extra: [null, 1_796_290_000_000] } } as unknown as AssetCursor["nodes"];
    const assets: Record<string, AssetCursor> = {
      full,
      atHead: { ...full, effectiveTime: head.evaluatedAt, lastEventId: head.lastEventId, requestedPartitions: [], partitionsKey: "p2" },
      plain: { treeHash: "t2", previousRequested: false, effectiveTime: head.evaluatedAt, lastEventId: head.lastEventId, nodes: shared, settled: null, value: false },
      // The same records by content, not identity: stored once, and still equal.
      sameNodes: { treeHash: "t2", previousRequested: false, effectiveTime: 5, lastEventId: 6, nodes: JSON.parse(JSON.stringify(shared)) as AssetCursor["nodes"], settled: 0, value: false, lastRequestedAt: null },
    };
    const event = { assetId: "a/b", id: 12, occurredAt: "2026-03-02T00:00:00.000Z", tributaryRunId: "r1", runAssetIds: ["a/b", "c"], dataVersion: "v1" };
    const inputs = {
      maxId: 420,
      readAt: 1_796_300_000_500,
      materialization: [event, { ...event, assetId: "c", id: 13, tributaryRunId: null, runAssetIds: null, dataVersion: null }],
      run_materialization: [event],
      materialization_failure: [],
      observation: [{ ...event, id: 3 }],
    };
    const decoded = decodeSnapshot(encodeSnapshot(head, assets, inputs), head);
    assert.ok(decoded);
    const expected = Object.fromEntries(Object.entries(assets).map(([id, c]) => [id, fromStored(JSON.parse(JSON.stringify(toStored(c, head))) as ReturnType<typeof toStored>, head)]));
    assert.deepEqual(decoded.assets, expected);
    assert.deepEqual(built, full);
    assert.deepEqual(Object.keys(decoded.assets.full!), Object.keys(built), "fields in evaluate()'s order");
    assert.deepEqual(Object.keys(expected["full"]!), Object.keys(built), "a row read back: fields in evaluate()'s order");
    assert.deepEqual(decoded.inputs, inputs);
    assert.equal(decoded.plan, null, "no plan stored: none read");
    // The plan's typed arrays come back equal, each in an aligned buffer of its own.
    const plan = { key: "plan-1:abc", order: Int32Array.of(2, 0, 1), depStarts: Int32Array.of(0, 0, 1, 3), deps: Int32Array.of(0, 0, 1), shape: Float64Array.of(0, 0.25, -1e300) };
    assert.deepEqual(decodeSnapshot(encodeSnapshot(head, assets, inputs, plan), head)?.plan, plan);
    assert.equal(decodeSnapshot(encodeSnapshot(head, assets, inputs), { ...head, evaluationId: 8 }), null, "another head's snapshot is not read");
    assert.equal(decodeSnapshot(Buffer.from("not gzip"), head), null, "unreadable bytes: the rows are read");
    const v1 = gzipSync(JSON.stringify({ version: 1, head, assets: {}, inputs }));
    assert.equal(decodeSnapshot(v1, head), null, "a version-1 snapshot (cursors as objects): the rows are read");
  });

  test("every cursor read gives one shape, whichever way it read (rows, the prepared snapshot, this daemon's cache)", async () => {
    // A store of one cursor row, its head and its snapshot, answering the statements CursorCache sends.
    const snapshot = encodeSnapshot(head, { a: full }, { maxId: 420, readAt: 0, materialization: [], run_materialization: [], materialization_failure: [], observation: [] });
    let withSnapshot = false;
    let cursorHead = head;
    const headRow = () => ({ evaluation_id: cursorHead.evaluationId, evaluated_at: new Date(cursorHead.evaluatedAt), last_event_id: cursorHead.lastEventId });
    const client = {
      dialect: "pglite",
      schema: null,
      query: async (sql: string) => {
        if (sql.includes("FROM automation_asset_cursors")) return [{ asset_key: "a", cursor: toStored(full, head) }];
        if (sql.startsWith("SELECT evaluation_id, evaluated_at, last_event_id, snapshot")) return withSnapshot ? [{ ...headRow(), snapshot }] : [];
        if (sql.startsWith("SELECT evaluation_id")) return [headRow()];
        return [{ id: 1 }]; // the cursor's UPDATE, and the rows' writes
      },
    } as unknown as SqlClient;
    const fromRows = await new CursorCache().read(client);
    withSnapshot = true;
    const prepared = new CursorCache();
    await prepared.prepare(client);
    const fromSnapshot = await prepared.read(client);
    assert.equal(fromSnapshot.fromPrepared, true);
    const written = await prepared.write(client, fromSnapshot, { ...fromSnapshot.cursor!, evaluationId: 8 }, 420);
    written.commit();
    cursorHead = { ...head, evaluationId: 8 };
    const fromCache = await prepared.read(client);
    assert.equal(fromCache.cursor!.evaluationId, 8, "read from this daemon's cache");
    assert.deepEqual(fromRows.cursor!.assets, fromSnapshot.cursor!.assets);
    const keys = Object.keys(fromRows);
    assert.deepEqual(Object.keys(fromSnapshot), keys);
    assert.deepEqual(Object.keys(fromCache), keys);
  });
});
