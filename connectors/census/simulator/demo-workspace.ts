/**
 * The demo's Census workspace, shaped like a real one: the DuckDB warehouse as the source, a CRM and an ads
 * destination, and two syncs reading demo-project marts (customers → CRM contacts, marketing_roi → ad
 * audiences). Used by `npm run demo` and by the tests.
 */
import type { SimulatedCensusDestination, SimulatedCensusSource, SimulatedCensusSync } from "./server.ts";

/** The demo workspace: the warehouse source, two destinations, two syncs reading demo-project marts. */
export function demoCensusWorkspace(): { sources: SimulatedCensusSource[]; destinations: SimulatedCensusDestination[]; syncs: SimulatedCensusSync[] } {
  return {
    sources: [{ id: 1, name: "Demo warehouse (DuckDB)", type: "duckdb", database: "warehouse" }],
    destinations: [
      { id: 11, name: "CRM", type: "hubspot", objects: ["contacts"] },
      { id: 12, name: "Ads", type: "google_ads", objects: ["audiences"] },
    ],
    syncs: [
      {
        id: 101,
        label: "Customers to CRM contacts",
        sourceId: 1,
        source: { type: "table", catalog: "warehouse", schema: "analytics", table: "customers" },
        destinationId: 11,
        destinationObject: "contacts",
        operation: "upsert",
        mappings: [
          { from: "customer_id", to: "external_id", primary: true },
          { from: "email", to: "email" },
          // customers (v2, the latest version) leaves lifetime_value out on purpose: the CRM gets the order count.
          { from: "number_of_orders", to: "order_count" },
        ],
        scheduleFrequency: "hourly",
      },
      {
        id: 102,
        label: "Marketing ROI to ad audiences",
        sourceId: 1,
        source: { type: "dbt_model", name: "marketing_roi", relation: "warehouse.analytics.marketing_roi" },
        destinationId: 12,
        destinationObject: "audiences",
        operation: "mirror",
        mappings: [
          { from: "campaign_id", to: "audience_id", primary: true },
          { from: "campaign_name", to: "name" },
          { from: "attributed_net_revenue", to: "revenue" },
        ],
        scheduleFrequency: "daily",
      },
    ],
  };
}
