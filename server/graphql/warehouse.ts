/**
 * What a warehouse location says about an asset's relation: on each column whether the warehouse holds it and
 * whether anyone documents it (the catalog's merge, catalog/graph/merge.ts), and `Asset.warehouse`: which
 * warehouse described it and when. Row count, bytes and last modified are `Asset.tableStats`, which the
 * warehouse fills in (its figures win over dbt's catalog.json).
 */
import type { CatalogAsset } from "../../catalog/graph/index.ts";
import type { ColumnSpec } from "../../catalog/model/index.ts";
import { warehouseRelationState } from "../../connectors/warehouse/index.ts";
import type { SchemaModule } from "./module.ts";

const typeDefs = /* GraphQL */ `
  extend type Column {
    "Whether the warehouse lets the column hold nulls; null when no warehouse said, or it cannot tell (a view's)."
    nullable: Boolean
    "True when the warehouse holds the column, false when it is documented but missing there; null when no warehouse describes the asset."
    inWarehouse: Boolean
    "False when only the warehouse has the column (present but undocumented); null when no warehouse describes the asset."
    documented: Boolean
  }

  extend type Asset {
    "The warehouse's description of the asset's relation; null when no warehouse location describes it (see the relation_missing diagnostic)."
    warehouse: WarehouseRelation
  }

  "A relation as a warehouse location read it."
  type WarehouseRelation {
    "The warehouse location."
    location: String!
    "duckdb or postgres."
    engine: String!
    "table or view."
    kind: String!
    "True when tableStats.rowCount is the warehouse's estimate (Postgres), false when counted."
    rowCountEstimated: Boolean
    "When the warehouse was read (ISO 8601)."
    describedAt: String!
  }
`;

const resolvers = {
  Column: {
    nullable: ({ column }: { column: ColumnSpec }) => column.nullable ?? null,
    inWarehouse: ({ column }: { column: ColumnSpec }) => column.inWarehouse ?? null,
    documented: ({ column }: { column: ColumnSpec }) => column.documented ?? null,
  },
  Asset: {
    warehouse: (asset: CatalogAsset) => {
      const state = warehouseRelationState.read(asset.metadata);
      if (state.location === null || state.engine === null || state.described_at === null) return null;
      return { location: state.location, engine: state.engine, kind: state.relation_kind ?? "table", rowCountEstimated: state.row_count_estimated, describedAt: state.described_at };
    },
  },
};

export const warehouseModule: SchemaModule = { typeDefs, resolvers };
