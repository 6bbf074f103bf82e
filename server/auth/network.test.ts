/** The Host rules, case by case. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { bindsBeyondLoopback, hostName, isAllowedHost, isLoopbackHost, originHostName } from "./network.ts";

test("loopback names and addresses", () => {
  for (const host of ["localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1"]) assert.ok(isLoopbackHost(host), host);
  for (const host of ["0.0.0.0", "::", "10.0.0.5", "localhost.attacker.example", "128.0.0.1", "example.com"]) assert.ok(!isLoopbackHost(host), host);
  assert.ok(bindsBeyondLoopback("0.0.0.0") && !bindsBeyondLoopback("127.0.0.1"));
});

test("Host headers: the name without the port; malformed ones are null", () => {
  assert.equal(hostName("Catalog.Example.com:3000"), "catalog.example.com");
  assert.equal(hostName("[::1]:3000"), "::1");
  assert.equal(hostName("::1"), "::1");
  assert.equal(hostName(""), null);
  assert.equal(hostName("a b"), null);
  assert.equal(hostName("evil.example@127.0.0.1"), null);
  assert.equal(originHostName("http://127.0.0.1:3000"), "127.0.0.1");
  assert.equal(originHostName("null"), null);
  assert.equal(originHostName("file://x"), null);
});

test("allowed hosts: loopback always, exact names, a domain with a leading dot, * for any", () => {
  assert.ok(isAllowedHost("localhost", []));
  assert.ok(!isAllowedHost("catalog.example.com", []));
  assert.ok(isAllowedHost("catalog.example.com", ["catalog.example.com"]));
  assert.ok(!isAllowedHost("evilcatalog.example.com", ["catalog.example.com"]));
  assert.ok(isAllowedHost("a.example.com", [".example.com"]) && isAllowedHost("example.com", [".example.com"]));
  assert.ok(!isAllowedHost("example.com.attacker.net", [".example.com"]));
  assert.ok(isAllowedHost("anything.net", ["*"]));
});
