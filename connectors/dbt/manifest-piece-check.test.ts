/**
 * The check of a large manifest's runs proves a node's `columns` without parsing it (isColumnsValue, on the
 * span the duplicate-key scan found), and the main thread parses the rest with a number in its place: the two
 * must accept exactly what JSON.parse of the whole run and the schema check accept. Held to that on thousands
 * of columns objects damaged at random, one byte at a time.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { findDuplicateKeys } from "./json-text.ts";
import { endOfNumber, isColumnsValue, scanPiece } from "./manifest-piece-check.ts";

/** What the schema accepts as `columns`: nothing, or an object of objects without a `__proto__` key. */
function columnsShapeOk(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== "object" || Array.isArray(value)) return false;
  for (const key in value) {
    if (key === "__proto__") return false;
    const column = (value as Record<string, unknown>)[key];
    if (typeof column !== "object" || column === null || Array.isArray(column)) return false;
  }
  return true;
}

/** The one-text answer for a run holding one node with these columns: accepted or not. */
function oneText(piece: string): boolean {
  let parsed: Record<string, Record<string, unknown>>;
  try {
    parsed = JSON.parse(`{${piece}}`) as Record<string, Record<string, unknown>>;
  } catch {
    return false;
  }
  const node = parsed["model.a.b"];
  if (typeof node !== "object" || node === null || Array.isArray(node)) return false;
  return columnsShapeOk(node["columns"]) && findDuplicateKeys(`{${piece}}`, 1).length === 0;
}

/** The pieces answer: null when the quick scan is unsure (the run is then checked whole, as before). */
function inPieces(piece: string): boolean | null {
  const bytes = Buffer.from(piece);
  const spans: number[] = [];
  if (!scanPiece(bytes, 0, bytes.length, spans, true)) return null;
  for (let k = 0; k < spans.length; k += 2) if (!isColumnsValue(bytes, spans[k]!, spans[k + 1]!)) return false;
  let rest = "";
  let from = 0;
  for (let k = 0; k < spans.length; k += 2) {
    rest += bytes.toString("utf8", from, spans[k]!) + String(k / 2 + 1);
    from = spans[k + 1]!;
  }
  rest += bytes.toString("utf8", from);
  let parsed: Record<string, Record<string, unknown>>;
  try {
    parsed = JSON.parse(`{${rest}}`) as Record<string, Record<string, unknown>>;
  } catch {
    return false;
  }
  const node = parsed["model.a.b"];
  if (typeof node !== "object" || node === null || Array.isArray(node)) return false;
  const columns = node["columns"];
  // A cut's number stands where the columns were: the scan proved them (the reader holds them as text).
  return typeof columns === "number" ? spans.length === 2 : columnsShapeOk(columns);
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const BASE =
  '{"id": {"name": "id", "description": "The \\"key\\" \\u00e9\\n", "meta": {"n": [1, -2.5e+3, 0.25, true, false, null, {}], "s": "x/y"}, "data_type": null, "tags": ["pk"]}, ' +
  '"amount": {"name": "amount", "description": "", "meta": {}, "data_type": "numeric(10,2)", "constraints": [], "quote": null, "tags": [], "granularity": null}}';
const SIGNIFICANT = '{}[]":,\\ 0123456789eE.-+tfnulasx_\u0001\t\n';

test("numbers end where JSON's grammar says", () => {
  const ends = (text: string) => endOfNumber(Buffer.from(text), 0, text.length);
  assert.equal(ends("0"), 1);
  assert.equal(ends("-12.5e+3,"), 8);
  assert.equal(ends("01"), 1, "a leading zero ends the number (the 1 after it is then refused)");
  assert.equal(ends("1."), -1);
  assert.equal(ends("1e"), -1);
  assert.equal(ends("-"), -1);
  assert.equal(ends(".5"), -1);
});

test("a columns value proved in place is what JSON.parse and the schema accept (6,000 damaged columns objects)", () => {
  const next = random(7);
  let compared = 0;
  let accepted = 0;
  const variants = [
    `"model.a.b": {"name": "b", "columns": ${BASE}, "meta": {}}`,
    `"model.a.b":{"name":"b","columns":${JSON.stringify(JSON.parse(BASE))},"meta":{}}`,
    `"model.a.b": {"columns": {"__proto__": {}}, "meta": {}}`,
    `"model.a.b": {"columns": {"a": []}, "meta": {}}`,
    `"model.a.b": {"columns": {"a": null}, "meta": {}}`,
    `"model.a.b": {"columns": {}, "meta": {}}`,
    `"model.a.b": {"columns": null}`,
  ];
  for (const variant of variants) {
    const answer = inPieces(variant);
    if (answer !== null) assert.equal(answer, oneText(variant), variant);
  }
  for (let round = 0; round < 6000; round++) {
    const base = variants[round % 2]!;
    let piece = base;
    for (let edits = 1 + Math.floor(next() * 2); edits > 0; edits--) {
      const at = Math.floor(next() * piece.length);
      const char = SIGNIFICANT[Math.floor(next() * SIGNIFICANT.length)]!;
      const kind = Math.floor(next() * 3);
      piece = kind === 0 ? piece.slice(0, at) + char + piece.slice(at) : kind === 1 ? piece.slice(0, at) + piece.slice(at + 1) : piece.slice(0, at) + char + piece.slice(at + 1);
    }
    const answer = inPieces(piece);
    if (answer === null) continue;
    compared++;
    if (answer) accepted++;
    assert.equal(answer, oneText(piece), `round ${round}: ${piece}`);
  }
  assert.ok(compared > 3000, `${compared} compared`);
  assert.ok(accepted > 300, `${accepted} still valid after the damage`);
});
