/** The column lineage panel's view: computing, failed, done with and without lineage, and when it is hidden. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ColumnLineagePanelQuery, ColumnLineageState } from "../generated/graphql.ts";
import { columnLineagePanelView, inProgressText } from "./column-lineage-state.ts";

type Asset = NonNullable<ColumnLineagePanelQuery["asset"]>;
type Location = ColumnLineagePanelQuery["locations"][number];

const copied = { followed: true, note: null, transformation: "COPY" as const, upstream: [{ assetKey: "stg_customers", relation: null, column: "customer_id" }] };

const customers = (lineage: Asset["columns"][number]["lineage"] = null, overrides: Partial<Asset> = {}): Asset => ({
  key: "customers",
  dbtUniqueId: "model.jaffle_shop.customers",
  locations: ["jaffle_shop"],
  columns: [
    { name: "customer_id", lineage },
    { name: "lifetime_spend", lineage: null },
  ],
  ...overrides,
});

const location = (name: string, state: ColumnLineageState | null, progress: { models?: number | null; modelsDone?: number; error?: string | null } = {}): Location => ({
  name,
  columnLineage: state === null ? null : { state, models: progress.models ?? null, modelsDone: progress.modelsDone ?? 0, durationMs: null, error: progress.error ?? null },
});

const answer = (asset: Asset | null, ...locations: Location[]): ColumnLineagePanelQuery => ({ asset, locations });

test("while the asset's location computes, the panel shows its progress and polls; the columns' null lineage is not 'none'", () => {
  const view = columnLineagePanelView(answer(customers(), location("jaffle_shop", "COMPUTING", { models: 40, modelsDone: 12 }), location("other", "DONE")));
  assert.equal(view.shown, true);
  assert.equal(view.computing, true);
  assert.equal(view.anyLineage, false);
  assert.deepEqual(view.inProgress, [{ location: "jaffle_shop", state: "COMPUTING", models: 40, modelsDone: 12 }]);
  assert.deepEqual(view.failures, []);
  assert.equal(inProgressText(view.inProgress[0]!), "Column lineage is being computed — 12 of 40 models");
});

test("a computation that has not said its size yet, and one waiting behind another location, read as such", () => {
  assert.equal(inProgressText({ location: "a", state: "COMPUTING", models: null, modelsDone: 0 }), "Column lineage is being computed");
  assert.equal(inProgressText({ location: "a", state: "COMPUTING", models: 12_345, modelsDone: 1_200 }), "Column lineage is being computed — 1,200 of 12,345 models");
  const pending = columnLineagePanelView(answer(customers(), location("jaffle_shop", "PENDING")));
  assert.equal(pending.computing, true);
  assert.match(inProgressText(pending.inProgress[0]!), /waiting/);
});

test("a failed computation shows its error and stops polling", () => {
  const view = columnLineagePanelView(answer(customers(), location("jaffle_shop", "FAILED", { error: "the worker ran out of memory" })));
  assert.equal(view.shown, true);
  assert.equal(view.computing, false);
  assert.deepEqual(view.failures, [{ location: "jaffle_shop", error: "the worker ran out of memory" }]);
  assert.deepEqual(view.inProgress, []);
});

test("done: the lineage is shown; done without any: the panel is shown, saying there is none", () => {
  const done = columnLineagePanelView(answer(customers(copied), location("jaffle_shop", "DONE", { models: 40, modelsDone: 40 })));
  assert.deepEqual({ shown: done.shown, computing: done.computing, anyLineage: done.anyLineage }, { shown: true, computing: false, anyLineage: true });
  assert.deepEqual(done.columns.map((c) => c.lineage !== null), [true, false]);
  const none = columnLineagePanelView(answer(customers(), location("jaffle_shop", "DONE")));
  assert.deepEqual({ shown: none.shown, computing: none.computing, anyLineage: none.anyLineage, failures: none.failures }, { shown: true, computing: false, anyLineage: false, failures: [] });
});

test("only the asset's own locations count: another location computing neither shows nor polls", () => {
  const view = columnLineagePanelView(answer(customers(copied), location("jaffle_shop", "DONE"), location("elsewhere", "COMPUTING", { models: 5 })));
  assert.equal(view.computing, false);
  assert.deepEqual(view.inProgress, []);
});

test("hidden: a source, a model without documented columns, a location with no lineage to compute, no asset", () => {
  const computing = location("jaffle_shop", "COMPUTING", { models: 40 });
  assert.equal(columnLineagePanelView(answer(customers(null, { dbtUniqueId: "source.jaffle_shop.raw.customers" }), computing)).shown, false);
  assert.equal(columnLineagePanelView(answer(customers(null, { columns: [] }), computing)).shown, false);
  assert.equal(columnLineagePanelView(answer(customers(), location("jaffle_shop", null))).shown, false);
  assert.equal(columnLineagePanelView(answer(null, computing)).shown, false);
  assert.equal(columnLineagePanelView(undefined).shown, false);
  // Lineage a column has is always shown, whatever the asset is.
  assert.equal(columnLineagePanelView(answer(customers(copied, { dbtUniqueId: null }))).shown, true);
});
