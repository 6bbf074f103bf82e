/** The Impact headline: what is among the downstream assets never reads as added to them. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { impactSentence } from "./policy-text.ts";

test("syncs and exposures are counted among the downstream assets, not beside them", () => {
  const impact = { count: 8, countByKind: [{ kind: "dbt", count: 5 }, { kind: "census", count: 2 }, { kind: "dashboard", count: 1 }] };
  assert.equal(impactSentence(impact), "8 downstream assets, including 2 Census syncs and 1 exposure");
  assert.equal(impactSentence({ count: 2, countByKind: [{ kind: "census", count: 2 }] }), "2 downstream assets: 2 Census syncs");
  assert.equal(impactSentence({ count: 3, countByKind: [{ kind: "dbt", count: 3 }] }), "3 downstream assets");
  assert.equal(impactSentence({ count: 1, countByKind: [{ kind: "exposure", count: 1 }] }), "1 downstream asset: 1 exposure");
});
