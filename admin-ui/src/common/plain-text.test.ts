/** The list's descriptions: Markdown marks dropped, names with underscores kept whole. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { plainText } from "./plain-text.ts";

test("underscores inside names survive; emphasis, code ticks, headings and links are dropped", () => {
  assert.equal(plainText("Orders by `updated_at`, see stg_shopify__orders and stg_stripe__charges."), "Orders by updated_at, see stg_shopify__orders and stg_stripe__charges.");
  assert.equal(plainText("The _latest_ row per **customer_id**; __strong__ too"), "The latest row per customer_id; strong too");
  assert.equal(plainText("# Heading\n> quoted [the docs](https://example.com/a_b) *now*"), "Heading quoted the docs now");
  assert.equal(plainText("snake_case_name and other_name"), "snake_case_name and other_name");
});
