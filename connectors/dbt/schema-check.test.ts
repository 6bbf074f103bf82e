/**
 * compileCheck must say yes exactly when zod's parse succeeds, for every schema type it supports (no only where
 * zod's copy would differ from the input), and refuse to compile any other type: the manifest reader uses the
 * input as parsed when the check says yes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { compileCheck } from "./schema-check.ts";

const VALUES: unknown[] = [
  undefined, null, true, false, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "", "text", [], ["a"], ["a", 1], [null],
  {}, { name: "n" }, { name: 1 }, { name: "n", tags: ["a"] }, { name: "n", tags: "a" }, { name: "n", extra: { deep: 1 } },
  { name: "n", meta: { a: 1 } }, { name: "n", meta: [] }, { name: "n", nested: { id: "x" } }, { name: "n", nested: { id: 2 } },
  { name: "n", nested: null }, { a: { name: "n" }, b: { name: 2 } }, { a: ["x"], b: [] }, Object.create(null) as unknown,
  new Date(0),
];
/** zod leaves a `__proto__` key out of a record it copies, so the check declines it (zod then parses it). */
const PROTO_KEY = JSON.parse('{"__proto__": {"name": 1}, "name": "n"}') as unknown;

const nested = z.object({ id: z.string() });
const SCHEMAS: Record<string, z.ZodType> = {
  string: z.string(),
  number: z.number(),
  boolean: z.boolean(),
  unknown: z.unknown(),
  "nullish string": z.string().nullish(),
  "optional boolean": z.boolean().optional(),
  "nullable number": z.number().nullable(),
  union: z.union([z.array(z.string()), z.string()]),
  array: z.array(z.string()),
  "record of unknown": z.record(z.string(), z.unknown()),
  "record of objects": z.record(z.string(), z.object({ name: z.string() })),
  "record of arrays": z.record(z.string(), z.array(z.string())),
  object: z.object({
    name: z.string(),
    tags: z.union([z.array(z.string()), z.string()]).nullish(),
    meta: z.record(z.string(), z.unknown()).nullish(),
    nested: nested.nullish(),
  }),
  "object with a required unknown": z.object({ name: z.string(), extra: z.unknown() }),
  "passthrough object": z.object({ name: z.string() }).passthrough(),
  "loose object": z.looseObject({ name: z.string() }),
};

for (const [name, schema] of Object.entries(SCHEMAS)) {
  test(`compileCheck agrees with zod: ${name}`, () => {
    const check = compileCheck(schema);
    for (const value of VALUES) {
      assert.equal(check(value), schema.safeParse(value).success, `${name} on ${String(JSON.stringify(value))}`);
    }
    const declined = schema._zod.def.type === "record";
    assert.equal(check(PROTO_KEY), !declined && schema.safeParse(PROTO_KEY).success, `${name} on a __proto__ key`);
  });
}

test("compileCheck refuses schemas it cannot check exactly", () => {
  const refused: z.ZodType[] = [
    z.string().min(1),
    z.string().transform((s) => s.length),
    z.string().default("x"),
    z.strictObject({ name: z.string() }),
    z.object({ name: z.string() }).refine(() => true),
    z.record(z.enum(["a", "b"]), z.string()),
    z.literal("x"),
    z.coerce.number(),
    z.object({ inner: z.object({ when: z.date() }) }),
  ];
  for (const schema of refused) assert.throws(() => compileCheck(schema), /compileCheck: .* is not supported/);
});
