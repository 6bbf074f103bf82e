/**
 * The UI's GraphQL documents and enums against the server's schema: a field renamed or removed on the server, or
 * an enum value added or renamed, fails here (the documents are validated as the server would validate them),
 * before any page is opened. admin-ui/src/types.ts is still written by hand; this keeps it honest until it is
 * generated.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { isEnumType, parse, validate, type GraphQLSchema } from "graphql";
import { createCatalogSchema } from "../../../server/graphql/schema.ts";
import { STATUS_ORDER } from "../common/status.ts";
import { CHECK_OUTCOME_STYLES, RUN_STATUSES, STEP_STATUS_STYLES } from "../runs/run-status.ts";
import * as queries from "./queries.ts";

const schema = createCatalogSchema() as unknown as GraphQLSchema;

const documents: Record<string, string> = {
  ASSET_PAGE: queries.ASSET_PAGE,
  ORDERED_ASSET_PAGE: queries.ORDERED_ASSET_PAGE,
  "skipQuery(false)": queries.skipQuery(false),
  "skipQuery(true)": queries.skipQuery(true),
  "facetsQuery()": queries.facetsQuery(),
  ASSET: queries.ASSET,
  DRY_RUN: queries.DRY_RUN,
  LINEAGE: queries.LINEAGE,
  LOCATIONS: queries.LOCATIONS,
  RUNS: queries.RUNS,
  RUN: queries.RUN,
  RUN_LOGS: queries.RUN_LOGS,
  RUN_UPDATES: queries.RUN_UPDATES,
  LAUNCH_RUN: queries.LAUNCH_RUN,
  REEXECUTE_RUN: queries.REEXECUTE_RUN,
  CANCEL_RUN: queries.CANCEL_RUN,
  LAUNCH_CAPABILITY: queries.LAUNCH_CAPABILITY,
  ASSET_HISTORY: queries.ASSET_HISTORY,
};

test("every document the UI sends is valid against the server's schema", () => {
  for (const [name, text] of Object.entries(documents)) {
    const errors = validate(schema, parse(text));
    assert.deepEqual(errors.map((error) => error.message), [], name);
  }
  // Every exported document is listed above.
  const exported = Object.entries(queries).filter(([, value]) => typeof value === "string" && /\b(query|mutation|subscription)\b/.test(value)).map(([key]) => key);
  for (const name of exported) assert.ok(name in documents, `${name} is not validated here`);
});

test("the UI's enums hold exactly the server's values", () => {
  const values = (name: string) => {
    const type = schema.getType(name);
    assert.ok(type && isEnumType(type), name);
    return type.getValues().map((value) => value.name).sort();
  };
  assert.deepEqual([...STATUS_ORDER].sort(), values("AssetStatus"));
  assert.deepEqual([...RUN_STATUSES].sort(), values("RunStatus"));
  assert.deepEqual(Object.keys(STEP_STATUS_STYLES).sort(), values("StepStatus"));
  assert.deepEqual(Object.keys(CHECK_OUTCOME_STYLES).sort(), values("CheckOutcome"));
});
