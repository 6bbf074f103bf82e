/** The Tributary GraphQL schema, assembled from its modules. */
import { createSchema } from "graphql-yoga";
import { assetsModule } from "./assets.ts";
import { automationModule } from "./automation.ts";
import type { GraphQLContext } from "./context.ts";
import { censusModule } from "./census.ts";
import { eventsModule } from "./events.ts";
import { fivetranModule } from "./fivetran.ts";
import { historyModule } from "./history.ts";
import { lineageModule } from "./lineage.ts";
import { locationsModule } from "./locations.ts";
import { reportModule } from "./report.ts";
import { runsModule } from "./runs.ts";
import type { SchemaModule } from "./module.ts";
import { scalarsModule } from "./scalars.ts";
import { accessModule } from "./access.ts";
import { warehouseModule } from "./warehouse.ts";
import { columnLineageModule } from "./column-lineage.ts";
import { schedulesModule } from "./schedules.ts";
import { partitionsModule } from "./partitions.ts";

/** Every module of the schema; a new area of the API adds its module here. */
export const schemaModules: readonly SchemaModule[] = [scalarsModule, assetsModule, lineageModule, locationsModule, eventsModule, fivetranModule, censusModule, automationModule, runsModule, reportModule, historyModule, accessModule, warehouseModule, columnLineageModule, schedulesModule, partitionsModule];

/** Builds the executable schema (SDL of all modules, their resolvers merged). */
export function createCatalogSchema() {
  return createSchema<GraphQLContext>({
    typeDefs: schemaModules.map((module) => module.typeDefs),
    resolvers: schemaModules.map((module) => module.resolvers),
  });
}
