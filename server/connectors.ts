/**
 * The registry of connectors: the one place that knows which connectors exist and builds their locations from
 * flags and tributary.yaml. Everything past it — the catalog service, the runs engine, the daemon, the API —
 * works on {@link ConnectorLocation}s and never names a tool. A new connector (a warehouse) is one entry here.
 */
import type { Logger } from "pino";
import type { ConnectorLocation, MaterializerRef } from "../catalog/model/index.ts";
import { censusConnector } from "./census-wiring.ts";
import type { LoadedConfig } from "./config.ts";
import { dbtConnector } from "./dbt-wiring.ts";
import { fivetranConnector } from "./fivetran-wiring.ts";
import { warehouseConnector } from "./warehouse-wiring.ts";

/** What a connector builds its locations from. */
export interface ConnectorContext {
  /** tributary.yaml, when one was given. */
  readonly loaded: LoadedConfig | null;
  /** `--project` flags. */
  readonly dbtProjects: readonly string[];
  /** `--manifest` flags. */
  readonly manifests: readonly string[];
  /** The data dir in effect (tool artifacts go under it). */
  readonly dataDir: string;
  readonly logger: Logger;
}

/** A connector, as the registry knows it. */
export interface ConnectorRegistration {
  readonly tool: string;
  /** Its configured locations (none when the configuration names none). Credentials stay inside. */
  locations(context: ConnectorContext): Promise<ConnectorLocation[]>;
}

/** Every connector Tributary has, in the order their locations load. */
export const CONNECTORS: readonly ConnectorRegistration[] = [dbtConnector, fivetranConnector, censusConnector, warehouseConnector];

/** The locations of every connector, in registry order. */
export async function createConnectorLocations(context: ConnectorContext, connectors: readonly ConnectorRegistration[] = CONNECTORS): Promise<ConnectorLocation[]> {
  const locations: ConnectorLocation[] = [];
  for (const connector of connectors) {
    for (const location of await connector.locations(context)) {
      if (location.tool !== connector.tool) throw new Error(`the ${connector.tool} connector built a location of tool ${location.tool}`);
      locations.push(location);
    }
  }
  return locations;
}

/** The live tool state of a materializer, from the observer of the location that owns it. */
export function liveStateLookup(locations: readonly ConnectorLocation[]): (materializer: MaterializerRef) => Readonly<Record<string, unknown>> | null {
  const byLocation = new Map(locations.map((location) => [`${location.tool}\u0000${location.name}`, location]));
  return (materializer) => byLocation.get(`${materializer.tool}\u0000${materializer.locationName}`)?.observer?.liveState(materializer.runTargetId) ?? null;
}
