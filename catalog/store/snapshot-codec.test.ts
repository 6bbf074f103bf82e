import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { CompactColumnLineage, type LocationDefinitions } from "../model/index.ts";
import { sampleDefinitions } from "./sample-definitions.ts";
import { SNAPSHOT_FORMAT_VERSION, decodeSnapshot, definitionsContentHash, serializeSnapshot, SNAPSHOT_ENCODING } from "./snapshot-codec.ts";

/** A model's column lineage, kept encoded as a spec holds it after the follow-up. */
function lineageOf(model: number) {
  return CompactColumnLineage.of({
    followed: model % 3 !== 0,
    reason: model % 3 === 0 ? `model ${model}: "quoted" reason` : null,
    columns: [
      { column: `id_${model}`, upstream: [{ key: ["raw", `t${model}`], relation: `raw.t${model}`, column: "id" }], transformation: "rename" as const, followed: true, note: null },
      { column: "amount", upstream: [], transformation: "transformation" as const, followed: false, note: 'a "note" with \\ and é' },
    ],
  });
}

describe("definitions snapshot text", () => {
  const base = sampleDefinitions({ locationName: "shop_dbt", models: 12, seed: 4 });
  const definitions: LocationDefinitions = {
    ...base,
    specs: base.specs.map((spec, i) => (i % 2 === 0 ? { ...spec, metadata: { ...spec.metadata, "dbt/column_lineage": lineageOf(i) } } : spec)),
  };

  it("is the one-piece JSON it always was: the column-lineage list written an entry at a time hashes the same", () => {
    // The stored format, built the way it was before the list was streamed: specs with each encoded value as null,
    // then the whole list in one JSON.stringify. Stored snapshots are found again by this hash, so it must not move.
    const compact: unknown[] = [];
    const specs = definitions.specs.map((spec, index) => {
      const value = spec.metadata["dbt/column_lineage"];
      if (!(value instanceof CompactColumnLineage)) return spec;
      compact.push([index, "dbt/column_lineage", value.followed, value.reason, value.encoded]);
      return { ...spec, metadata: { ...spec.metadata, "dbt/column_lineage": null } };
    });
    const { name, kind, origin } = definitions.location;
    const text =
      `{"formatVersion":${SNAPSHOT_FORMAT_VERSION},"location":${JSON.stringify({ name, kind, origin })},"specs":${JSON.stringify(specs)},` +
      `"diagnostics":${JSON.stringify(definitions.diagnostics)},"compactColumnLineage":${JSON.stringify(compact)}}`;
    assert.equal(compact.length, 6);
    assert.equal(definitionsContentHash(definitions), createHash("sha256").update(text).digest("hex"));
  });

  it("reads back with every model's lineage in its place", async () => {
    const serialized = await serializeSnapshot(definitions);
    const payload = await decodeSnapshot({ id: 1, encoding: SNAPSHOT_ENCODING, formatVersion: SNAPSHOT_FORMAT_VERSION, payload: serialized.compressed });
    assert.equal(JSON.stringify(payload.specs), JSON.stringify(definitions.specs));
    for (const [i, spec] of payload.specs.entries()) {
      const value = spec.metadata["dbt/column_lineage"];
      if (i % 2 === 0) assert.deepEqual((value as CompactColumnLineage).columns, lineageOf(i).columns);
      else assert.equal(value, undefined);
    }
  });
});
