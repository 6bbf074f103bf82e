import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import { createLogger, resolveLogLevel } from "./logging.ts";

function collector(): { destination: Writable; entries: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { destination, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("createLogger", () => {
  test("never writes secrets, however deep", () => {
    const { destination, entries } = collector();
    const logger = createLogger({ level: "info", destination });
    logger.info(
      {
        password: "p1",
        config: { fivetran: { apiKey: "k1", apiSecret: "s1", baseUrl: "https://api.fivetran.com" }, census: { token: "t1" } },
        request: { headers: { authorization: "Bearer b1" } },
      },
      "loaded config",
    );
    const [entry] = entries();
    const text = JSON.stringify(entry);
    for (const secret of ["p1", "k1", "s1", "t1", "Bearer b1"]) assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.match(text, /https:\/\/api\.fivetran\.com/);
    assert.equal(entry?.["msg"], "loaded config");
  });

  test("the level comes from TRIBUTARY_LOG_LEVEL, default info; an unknown name falls back to info", () => {
    assert.equal(resolveLogLevel({ env: {} }), "info");
    assert.equal(resolveLogLevel({ env: { TRIBUTARY_LOG_LEVEL: "DEBUG" } }), "debug");
    assert.equal(resolveLogLevel({ env: { TRIBUTARY_LOG_LEVEL: "loud" } }), "info");
    assert.equal(resolveLogLevel({ level: "warn", env: { TRIBUTARY_LOG_LEVEL: "debug" } }), "warn");
    const { destination, entries } = collector();
    const logger = createLogger({ env: { TRIBUTARY_LOG_LEVEL: "warn" }, destination });
    logger.info("hidden");
    logger.warn("shown");
    assert.deepEqual(entries().map((e) => e["msg"]), ["shown"]);
  });
});
