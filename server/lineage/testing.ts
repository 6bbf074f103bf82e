/**
 * For tests: validates OpenLineage events against the published JSON schemas kept in ./openlineage-spec (see
 * its README), with ajv's draft 2020-12 validator and its formats (uuid, date-time, uri). An event must match
 * `OpenLineage.json#/$defs/RunEvent`, and each of its facets the schema its `_schemaURL` names, which must be
 * one of the kept files: a facet no test can check is an error.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject } from "ajv";
import addFormatsModule from "ajv-formats";
import { RUN_EVENT_SCHEMA_URL } from "./events.ts";

const SPEC_DIR = join(import.meta.dirname, "openlineage-spec");
// ajv-formats is CommonJS: its default export arrives wrapped under tsx's ESM interop.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

function loadValidator(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(JSON.parse(readFileSync(join(SPEC_DIR, "OpenLineage.json"), "utf8")) as object);
  for (const file of readdirSync(join(SPEC_DIR, "facets"))) ajv.addSchema(JSON.parse(readFileSync(join(SPEC_DIR, "facets", file), "utf8")) as object);
  return ajv;
}

let shared: Ajv2020 | null = null;

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`).join("; ");
}

/** Every problem with an event, one line each (empty when it is valid). */
export function openLineageProblems(event: unknown): string[] {
  shared ??= loadValidator();
  const ajv = shared;
  const problems: string[] = [];
  const validateEvent = ajv.getSchema(RUN_EVENT_SCHEMA_URL)!;
  if (!validateEvent(event)) problems.push(`RunEvent: ${describeErrors(validateEvent.errors)}`);
  const e = event as {
    run?: { facets?: Record<string, unknown> };
    job?: { facets?: Record<string, unknown> };
    inputs?: { facets?: Record<string, unknown>; name?: string }[];
    outputs?: { facets?: Record<string, unknown>; name?: string }[];
  };
  const facetSets: [string, Record<string, unknown> | undefined][] = [
    ["run", e.run?.facets],
    ["job", e.job?.facets],
    ...(e.inputs ?? []).map((d, i): [string, Record<string, unknown> | undefined] => [`inputs[${i}] ${d.name}`, d.facets]),
    ...(e.outputs ?? []).map((d, i): [string, Record<string, unknown> | undefined] => [`outputs[${i}] ${d.name}`, d.facets]),
  ];
  for (const [where, facets] of facetSets) {
    for (const [key, facet] of Object.entries(facets ?? {})) {
      const url = (facet as { _schemaURL?: unknown })._schemaURL;
      const validate = typeof url === "string" ? ajv.getSchema(url) : undefined;
      if (!validate) {
        problems.push(`${where} facet ${key}: its _schemaURL ${String(url)} is not a kept published schema`);
        continue;
      }
      if (!validate(facet)) problems.push(`${where} facet ${key}: ${describeErrors(validate.errors)}`);
    }
  }
  return problems;
}
