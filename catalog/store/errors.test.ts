import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StoreError, isStoreError, redactDatabaseUrl, scrubSecret } from "./errors.ts";

describe("redactDatabaseUrl", () => {
  it("hides the password of a URL and keeps everything else", () => {
    assert.equal(redactDatabaseUrl("postgres://tributary:s3cret@db.internal:5432/catalog"), "postgres://tributary:***@db.internal:5432/catalog");
    assert.equal(redactDatabaseUrl("postgresql://u:p@h/d?sslmode=require"), "postgresql://u:***@h/d?sslmode=require");
  });

  it("hides passwords holding raw '@', '/' or ':' characters", () => {
    assert.equal(redactDatabaseUrl("postgres://u:p@ss/w:rd@host/db"), "postgres://u:***@host/db");
  });

  it("hides a password given as a query parameter", () => {
    assert.equal(redactDatabaseUrl("postgres://host/db?user=u&password=secret&sslmode=disable"), "postgres://host/db?user=u&password=***&sslmode=disable");
  });

  it("leaves URLs without a password alone", () => {
    assert.equal(redactDatabaseUrl("postgres://postgres@127.0.0.1:5432/test"), "postgres://postgres@127.0.0.1:5432/test");
    assert.equal(redactDatabaseUrl("postgres://localhost/db"), "postgres://localhost/db");
    assert.equal(redactDatabaseUrl("not a url"), "not a url");
  });
});

describe("StoreError", () => {
  it("carries a code and context and is recognised by isStoreError", () => {
    const error = new StoreError("invalid_input", "bad", { locationName: "shop" });
    assert.ok(isStoreError(error));
    assert.equal(error.name, "StoreError");
    assert.deepEqual(error.context, { locationName: "shop" });
    assert.ok(isStoreError(error, "invalid_input"));
    assert.equal(isStoreError(error, "closed"), false);
    assert.equal(isStoreError(new Error("bad")), false);
  });

  it("scrubs a secret from any text", () => {
    assert.equal(scrubSecret("auth failed for hunter2 at hunter2", "hunter2"), "auth failed for *** at ***");
    assert.equal(scrubSecret("nothing to hide", null), "nothing to hide");
  });
});
