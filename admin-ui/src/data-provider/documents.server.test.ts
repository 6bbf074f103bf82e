/**
 * The UI's GraphQL documents, their generated types and its enums against the schema: the generated module is
 * what `npm run codegen` writes now (a document or schema.graphql changed without regenerating fails here, and
 * codegen itself refuses a document that is not valid against the schema), and the UI's enum tables hold exactly
 * the schema's values. scripts/ui-schema.test.ts checks that schema.graphql is the server's schema.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { generate } from "@graphql-codegen/cli";
import { buildSchema, isEnumType } from "graphql";
import config, { GENERATED_TYPES } from "../../codegen.ts";
import { STATUS_ORDER } from "../common/status.ts";
import { CHECK_OUTCOME_STYLES, RUN_STATUSES, STEP_STATUS_STYLES } from "../runs/run-status.ts";

const adminUi = join(import.meta.dirname, "..", "..");
const schema = buildSchema(readFileSync(join(adminUi, "schema.graphql"), "utf8"));

test("the generated types are what codegen writes from schema.graphql and the documents now", async () => {
  const outputs = await generate({ ...config, cwd: adminUi, silent: true }, false);
  const output = (outputs as readonly { filename: string; content: string }[]).find((file) => file.filename.endsWith(GENERATED_TYPES));
  assert.ok(output, `codegen wrote no ${GENERATED_TYPES}`);
  assert.equal(readFileSync(join(adminUi, GENERATED_TYPES), "utf8"), output.content, "run: npm run codegen");
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
