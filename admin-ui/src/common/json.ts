/** Reading the schema's `JSON` scalar (typed `unknown` by codegen: the server promises JSON, not a shape). */

/** A JSON object's fields; an empty object for anything else (null, an array, a string). */
export function jsonObject(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
