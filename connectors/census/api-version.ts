/**
 * Every difference between Census's Activations API V1 and V2, in one place, so V2 is a configuration
 * (`census.workspaces[].api_version`) and not a fork of the client.
 *
 * V1 (`/api/v1`, workspace API key, numeric ids) is what dagster-census uses and what this connector is built
 * and tested on. Fivetran announced V1's retirement for 2027-01-15. V2, per Fivetran's migration guide
 * (saas-apis.md §0): base path `/api/v2`, Activations personal access tokens only, Fivetran groups
 * (`group_id`) as scope, `/destinations` renamed `/activations` (string ids), `/connectors` →
 * `/activation_types`. Everything else about V2 below is **unverified** and marked so.
 */
export type CensusApiVersion = "v1" | "v2";

export interface CensusApiProfile {
  readonly version: CensusApiVersion;
  /** The API root (US region; EU is `app-eu.getcensus.com`). */
  readonly defaultBaseUrl: string;
  /** Where destinations are listed: V1 `/destinations`, V2 `/activations`. */
  readonly destinationsPath: string;
  /** What the API calls a destination in messages. */
  readonly destinationNoun: string;
  /** V2 scopes requests to a Fivetran group; sent as the `group_id` query parameter when configured. [unverified: which requests need it] */
  readonly sendsGroupId: boolean;
  /** The credential the version takes, for error hints. */
  readonly credential: string;
  /** True where the shape was checked against real responses (fixtures, docs); false for V2. */
  readonly verified: boolean;
}

export const CENSUS_API_PROFILES: Readonly<Record<CensusApiVersion, CensusApiProfile>> = {
  v1: {
    version: "v1",
    defaultBaseUrl: "https://app.getcensus.com/api/v1",
    destinationsPath: "/destinations",
    destinationNoun: "destination",
    sendsGroupId: false,
    credential: "workspace API key (secret-token:…)",
    verified: true,
  },
  v2: {
    version: "v2",
    // [unverified] the host: Fivetran documents the path `/api/v2`; the host is assumed unchanged.
    defaultBaseUrl: "https://app.getcensus.com/api/v2",
    destinationsPath: "/activations",
    destinationNoun: "activation",
    sendsGroupId: true,
    credential: "Activations personal access token",
    verified: false,
  },
};

export function censusApiProfile(version: CensusApiVersion = "v1"): CensusApiProfile {
  return CENSUS_API_PROFILES[version];
}
