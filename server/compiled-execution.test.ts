/**
 * graphql-jit (what the server runs) against graphql-js's executor, differentially: every query of the web UI's
 * own documents (admin-ui/src/data-provider/documents), and queries that fail in each way a client can make them
 * fail, must get the same status and the same response body, byte for byte, from both. The other GraphQL tests
 * run through graphql-jit as the server does.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { Kind, parse, print, type OperationDefinitionNode } from "graphql";
import { createLogger } from "./logging.ts";
import { mutableSource, shopGraph } from "./test-support.ts";
import { createTributaryYoga, loadQueryCompiler, type TributaryYoga } from "./yoga.ts";

const DOCUMENTS = join(import.meta.dirname, "..", "admin-ui", "src", "data-provider", "documents");

function yoga(compiledExecution: boolean): TributaryYoga {
  return createTributaryYoga({ catalog: mutableSource(shopGraph()), logger: createLogger({ level: "silent" }), compiledExecution });
}
const compiled = yoga(true);
const interpreted = yoga(false);
// The server loads graphql-jit at its first query and uses graphql-js until then: wait for it here.
before(() => loadQueryCompiler());

async function answer(server: TributaryYoga, query: string, variables: Record<string, unknown>, operationName?: string) {
  const response = await server.fetch("http://tributary.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query, variables, ...(operationName ? { operationName } : {}) }),
  });
  return { status: response.status, body: await response.text() };
}

async function assertSameAnswer(query: string, variables: Record<string, unknown> = {}, operationName?: string): Promise<string> {
  const [fromJit, fromGraphqlJs] = [await answer(compiled, query, variables, operationName), await answer(interpreted, query, variables, operationName)];
  assert.deepEqual(fromJit, fromGraphqlJs, `${operationName ?? query.slice(0, 80)} ${JSON.stringify(variables)}`);
  return fromJit.body;
}

/** Variables for the UI's operations on the shop catalog (server/test-support.ts). */
const VARIABLES: Record<string, Record<string, unknown>[]> = {
  AssetPage: [{ first: 5 }, { search: "orders", first: 50 }, { kinds: ["dbt"], hasPolicy: true, first: 3, after: null }],
  OrderedAssetPage: [{ first: 4, orderBy: { field: "KEY", direction: "DESC" } }],
  Skip: [{ first: 2 }],
  OrderedSkip: [{ first: 2, orderBy: { field: "KEY", direction: "ASC" } }],
  Facets: [{}, { search: "stg" }],
  Asset: [
    { key: "marts/orders", history: 5, censusRuns: 3 },
    { key: "census/salesforce_contacts", history: 2, censusRuns: 2 },
    { key: "raw/shop/orders", history: 1, censusRuns: 1 },
    { key: "no/such/asset", history: 1, censusRuns: 1 },
  ],
  DryRun: [{ key: "marts/orders" }],
  Lineage: [
    { key: "marts/orders" },
    { key: "marts/orders", direction: "UPSTREAM" },
    { key: "stg_customers", direction: "DOWNSTREAM", depth: 1 },
    { key: "marts/orders", depth: -1 },
  ],
  AssetHistory: [{ key: "marts/orders", points: 10, checks: 5 }],
  Locations: [{}],
  Runs: [{ first: 5 }],
  Run: [{ id: "no-such-run" }],
  RunLogs: [{ id: "no-such-run", first: 10 }],
  LaunchCapability: [{}],
  AssetRunSavings: [{ key: "marts/orders" }],
  RunSavings: [{}],
};

/** Variables for an operation not listed above (a document added since): a value of each declared type. */
function variablesFor(operation: OperationDefinitionNode): Record<string, unknown> {
  const sample: Record<string, unknown> = { String: "marts/orders", ID: "no-such-run", Int: 5, Boolean: true, Float: 1.5 };
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = print(definition.type);
    const named = type.replace(/[[\]!]/g, "");
    if (!(named in sample)) continue; // an input object or enum: left out (the answer is then an error, compared too)
    variables[definition.variable.name.value] = type.startsWith("[") ? [sample[named]] : sample[named];
  }
  return variables;
}

describe("graphql-jit and graphql-js give the same answers", () => {
  const files = readdirSync(DOCUMENTS).filter((name) => name.endsWith(".graphql"));
  const text = files.map((name) => readFileSync(join(DOCUMENTS, name), "utf8")).join("\n");
  const document = parse(text);
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  const queries = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.operation === "query");

  test("the UI's documents hold the queries the UI runs", () => {
    assert.ok(queries.length >= 10, `only ${queries.length} queries in ${DOCUMENTS}`);
  });

  for (const operation of queries) {
    const name = operation.name!.value;
    test(`the UI's ${name}`, async () => {
      // The operation with every fragment of the documents (as the UI sends them: unused ones would fail validation).
      const withFragments = print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] });
      for (const variables of VARIABLES[name] ?? [variablesFor(operation)]) {
        const used = fragments.filter((f) => withFragments.includes(`...${f.name.value}`));
        const query = print({ kind: Kind.DOCUMENT, definitions: [operation, ...used] });
        await assertSameAnswer(query, variables, name);
      }
    });
  }

  test("aliases, fragments on interfaces, @include / @skip and variables' defaults", async () => {
    const body = await assertSameAnswer(
      /* GraphQL */ `
        query ($withEdges: Boolean = true, $skipKinds: Boolean!) {
          a: asset(key: "marts/orders") { key kinds @skip(if: $skipKinds) upstream { key } }
          b: lineage(key: "stg_orders") { nodes { ... on Asset { key description } } edges @include(if: $withEdges) { from to } }
          __typename
        }
      `,
      { skipKinds: true },
    );
    assert.match(body, /"a":\{"key":"marts\/orders","upstream":\[/);
  });

  test("errors: an unknown asset, a bad argument, a wrong variable type, a limit, a syntax error", async () => {
    await assertSameAnswer(`{ lineage(key: "nope") { nodes { key } } }`);
    await assertSameAnswer(`{ lineage(key: "marts/orders", depth: -2) { nodes { key } } }`);
    await assertSameAnswer(`query ($key: String!) { asset(key: $key) { key } }`, { key: 42 });
    await assertSameAnswer(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: asset(key: "marts/orders") { key }`).join(" ")} }`);
    await assertSameAnswer(`{ asset(key: "marts/orders") { key `);
  });

  test("introspection", async () => {
    const body = await assertSameAnswer(`{ __schema { queryType { name } types { name kind fields { name type { name kind ofType { name } } } } } }`);
    assert.match(body, /"name":"LineageGraph"/);
  });
});
