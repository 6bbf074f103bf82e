/** dbt's and DuckDB's marks must not look alike: a round tool mark, a square warehouse mark. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { toolStyle } from "./tool-marks.tsx";

test("tools are round and warehouses square, so dbt's d and DuckDB's D differ at a glance", () => {
  const dbt = toolStyle("dbt");
  const duckdb = toolStyle("duckdb");
  assert.notEqual(dbt.shape ?? "round", duckdb.shape ?? "round");
  assert.equal(duckdb.shape, "square");
  for (const warehouse of ["postgres", "snowflake", "bigquery"]) assert.equal(toolStyle(warehouse).shape, "square", warehouse);
  for (const tool of ["fivetran", "census"]) assert.equal(toolStyle(tool).shape ?? "round", "round", tool);
});
