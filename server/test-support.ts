/**
 * A small hand-built catalog for the server's tests, and helpers to query a yoga instance in process.
 *
 *   fivetran: raw/shop/orders ──▶ stg_orders ─┐
 *             raw/stripe/charges ─▶ stg_payments ─┴▶ marts/orders ─▶ marts/daily_revenue
 *             raw/shop/customers ─▶ stg_customers ──────▶ marts/customers ◀─ marts/orders
 *   marts/customers ─▶ exposures/dashboard, census/salesforce_contacts
 *   a dbt source "shop_raw/payments" whose relation is the Fivetran table raw/stripe/charges (one asset).
 */
import { Writable } from "node:stream";
import type { CatalogGraph } from "../catalog/graph/types.ts";
import { buildCatalogGraph } from "../catalog/graph/build.ts";
import type {
  AssetSpec,
  CheckSpec,
  Diagnostic,
  LocationDefinitions,
  LocationKind,
  Relation,
} from "../catalog/model/index.ts";
import { createLogger } from "./logging.ts";
import type { CatalogSource } from "./graphql/context.ts";
import { createTributaryYoga, type TributaryYoga } from "./yoga.ts";

const warehouse = (schema: string, name: string): Relation => ({ database: "warehouse", schema, name });

export { spec } from "../catalog/graph/test-specs.ts";
import { spec } from "../catalog/graph/test-specs.ts";

function check(assetKey: string, name: string, overrides: Partial<CheckSpec> = {}): CheckSpec {
  return {
    name,
    assetKey: assetKey.split("/"),
    description: null,
    blocking: true,
    additionalDeps: [],
    columnName: null,
    sourceId: `test.shop.${name}`,
    metadata: {},
    ...overrides,
  };
}

/** One location's definitions. */
export function definitions(
  name: string,
  kind: LocationKind,
  specs: AssetSpec[],
  diagnostics: Diagnostic[] = [],
): LocationDefinitions {
  return {
    location: { name, kind, origin: `test:${name}` },
    specs,
    diagnostics,
    loadedAt: "2026-11-24T08:00:00.000Z",
    loadDurationMs: 12,
  };
}

function fivetranSpec(key: string, relation: Relation): AssetSpec {
  return spec(key, {
    relation,
    kinds: ["fivetran", "duckdb"],
    materializer: { tool: "fivetran", locationName: "fivetran", runTargetId: `connector_${key.split("/")[1]}` },
    dbtUniqueId: null,
    location: "fivetran",
  });
}

/** Every location's definitions of the shop; `without` drops assets by key (to simulate a reload). */
export function shopDefinitions(without: readonly string[] = []): LocationDefinitions[] {
  const keep = (specs: AssetSpec[]) => specs.filter((s) => !without.includes(s.key.join("/")));
  const fivetran = definitions(
    "fivetran",
    "fivetran",
    keep([
      fivetranSpec("raw/shop/orders", warehouse("shop", "orders")),
      fivetranSpec("raw/shop/customers", warehouse("shop", "customers")),
      fivetranSpec("raw/stripe/charges", warehouse("stripe", "charges")),
    ]),
  );
  const shop = definitions(
    "shop",
    "dbt",
    keep([
      // A dbt source over the Fivetran table: same relation, so it is the same asset as raw/stripe/charges.
      spec("shop_raw/payments", { relation: warehouse("stripe", "charges"), materializer: null, kinds: ["dbt", "duckdb"], dbtUniqueId: "source.shop.shop_raw.payments" }),
      spec("stg_orders", {
        deps: ["raw/shop/orders"],
        relation: warehouse("staging", "stg_orders"),
        columns: [
          { name: "order_id", type: "INTEGER", description: "Primary key", tags: ["pk"] },
          { name: "amount", type: "DECIMAL(18,2)", description: null, tags: [] },
        ],
        checks: [
          check("stg_orders", "unique_stg_orders_order_id", { columnName: "order_id", description: "order_id is unique" }),
          check("stg_orders", "not_null_stg_orders_order_id", { columnName: "order_id", blocking: false }),
        ],
        codeVersion: "3f2a9c",
        definedIn: { file: "models/staging/stg_orders.sql", line: 1, path: null },
      }),
      spec("stg_customers", { deps: ["raw/shop/customers"], group: "core", owners: ["data@shop.test"] }),
      spec("stg_payments", { deps: ["shop_raw/payments"], group: "core", owners: ["data@shop.test"] }),
      spec("marts/orders", {
        deps: ["stg_orders", "stg_payments"],
        group: "finance",
        owners: ["finance@shop.test"],
        tags: ["mart"],
        description: "One row per paid order",
        relation: warehouse("marts", "orders"),
        checks: [
          check("marts/orders", "relationships_orders_customer_id__customer_id__ref_customers_", {
            columnName: "customer_id",
            additionalDeps: [["marts", "customers"]],
          }),
        ],
        policy: {
          source: "auto_materialize_policy",
          type: "eager",
          cronSchedule: null,
          cronTimezone: null,
          declaredIn: { file: "dbt_project.yml", line: 21, path: "models.shop.marts.+meta.dagster" },
        },
        metadata: { materialized: "table" },
      }),
      spec("marts/customers", {
        deps: ["stg_customers"],
        group: "marketing",
        owners: ["growth@shop.test"],
        tags: ["mart", "pii"],
        description: "Customers with lifetime value",
        policy: {
          source: "auto_materialize_policy",
          type: "on_cron",
          cronSchedule: "0 6 * * *",
          cronTimezone: "Europe/Copenhagen",
          declaredIn: { file: "models/marts/customers.yml", line: 7, path: "models[0].config.meta.dagster" },
        },
      }),
      spec("marts/daily_revenue", {
        deps: ["marts/orders"],
        group: "finance",
        tags: ["mart", "daily"],
        policy: {
          source: "automation_condition",
          condition: { and: ["missing", { not: "in_progress" }] },
          declaredIn: { file: "models/marts/daily_revenue.yml", line: 4, path: null },
        },
      }),
      spec("exposures/dashboard", { deps: ["marts/customers"], materializer: null, kinds: ["dbt", "exposure"], dbtUniqueId: "exposure.shop.dashboard" }),
    ]),
    [
      {
        severity: "error",
        code: "invalid_policy",
        message: "auto_materialize_policy.type must be eager, lazy, on_cron or on_missing",
        locationName: "shop",
        assetKey: ["stg_payments"],
        nodeId: "model.shop.stg_payments",
        at: { file: "models/staging/schema.yml", line: 14, path: "models[2].config.meta.dagster" },
      },
      {
        severity: "warning",
        code: "dangling_source",
        message: "No connector feeds source shop_raw.refunds",
        locationName: "shop",
        assetKey: null,
        nodeId: "source.shop.shop_raw.refunds",
        at: { file: "models/sources.yml", line: 30, path: null },
      },
    ],
  );
  const census = definitions(
    "census",
    "census",
    keep([
      spec("census/salesforce_contacts", {
        deps: ["marts/customers"],
        kinds: ["census", "salesforce"],
        materializer: { tool: "census", locationName: "census", runTargetId: "sync_42" },
        dbtUniqueId: null,
        location: "census",
      }),
    ]),
  );
  // marts/customers also depends on marts/orders (declared here so the mart chain is two deep).
  const customers = shop.specs.find((s) => s.key.join("/") === "marts/customers");
  const specs = shop.specs.map((s) =>
    s === customers ? { ...s, deps: [...s.deps, { kind: "key" as const, key: ["marts", "orders"] }] } : s,
  );
  return [fivetran, { ...shop, specs }, census];
}

/** The shop catalog, with a "marketing" location that failed to load. */
export function shopGraph(without: readonly string[] = []): CatalogGraph {
  return buildCatalogGraph({
    definitions: shopDefinitions(without),
    failures: [
      {
        location: { name: "marketing", kind: "dbt", origin: "test:marketing" },
        error: { code: "manifest_invalid", message: "nodes.model.marketing.spend: missing field \"config\"", at: "2026-11-24T08:00:00.000Z" },
        lastGood: null,
      },
    ],
    builtAt: "2026-11-24T08:00:01.000Z",
  });
}

/** A catalog source whose graph a test can swap, as a reload would. */
export function mutableSource(graph: CatalogGraph): CatalogSource & { set(next: CatalogGraph): void } {
  let current = graph;
  return {
    current: () => current,
    set(next) {
      current = next;
    },
  };
}

/** A yoga instance over a source, logging nothing. */
export function testYoga(source: CatalogSource | null = mutableSource(shopGraph())): TributaryYoga {
  return createTributaryYoga({ catalog: source, logger: createLogger({ level: "silent" }) });
}

/** The JSON body of a GraphQL response. */
export interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POSTs a query to the yoga instance in process and returns the status and JSON body. */
export async function execute(
  yoga: TributaryYoga,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; body: GraphQLResponseBody }> {
  const response = await yoga.fetch("http://tributary.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponseBody };
}

/** Like {@link execute}, failing the test when the response has errors; returns `data`. */
export async function query<T = Record<string, unknown>>(
  yoga: TributaryYoga,
  text: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const { body } = await execute(yoga, text, variables);
  if (body.errors !== undefined && body.errors.length > 0) {
    throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  }
  return body.data as T;
}

/** A debug-level logger whose lines are kept, so a test can grep them (e.g. for leaked secrets). */
export function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    }),
  });
  return { logger, lines };
}
