/** The shapes the UI reads from Tributary's GraphQL API (see server/graphql/*.ts). */

export interface Relation {
  readonly database: string | null;
  readonly schema: string;
  readonly name: string;
  readonly fullName: string;
}

export interface Materializer {
  readonly tool: string;
  readonly location: string;
  readonly runTargetId?: string;
}

export interface PolicySummary {
  readonly source: "AUTO_MATERIALIZE_POLICY" | "AUTOMATION_CONDITION";
  readonly type: "EAGER" | "LAZY" | "ON_CRON" | "ON_MISSING" | null;
  readonly label: string;
}

/** An asset as the catalog list shows it (react-admin records need an `id`). */
export interface AssetSummary {
  readonly id: string;
  readonly key: string;
  readonly kinds: readonly string[];
  readonly group: string | null;
  readonly owners: readonly string[];
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly relation: Pick<Relation, "fullName"> | null;
  readonly materializedBy: Pick<Materializer, "tool"> | null;
  readonly policy: PolicySummary | null;
}

export interface SourceLocation {
  readonly file: string | null;
  readonly line: number | null;
  readonly path: string | null;
}

export interface CheckInfo {
  readonly name: string;
  readonly description?: string | null;
  readonly blocking: boolean;
  readonly columnName?: string | null;
  readonly additionalDeps?: readonly string[];
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: string | null;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly checks: readonly CheckInfo[];
}

export interface Policy extends PolicySummary {
  readonly cronSchedule: string | null;
  readonly cronTimezone: string | null;
  readonly condition: unknown;
  readonly declaredIn: SourceLocation | null;
  /** `Policy.tree`, when the server has it (feature-detected). */
  readonly tree?: unknown;
}

export interface Neighbour {
  readonly key: string;
  readonly kinds: readonly string[];
  readonly materializedBy: Pick<Materializer, "tool"> | null;
}

export interface DiagnosticInfo {
  readonly severity: "ERROR" | "WARNING" | "INFO";
  readonly code: string;
  readonly message: string;
  readonly locationName?: string;
  readonly assetKey?: string | null;
  readonly asset?: { readonly key: string } | null;
  readonly nodeId?: string | null;
  readonly at?: SourceLocation | null;
}

/** Rows of a field the server may or may not have yet (history, evaluations): scalar fields only. */
export type GenericRow = Readonly<Record<string, unknown>>;

export interface AssetDetail extends AssetSummary {
  readonly keyPath: readonly string[];
  readonly aliases: readonly string[];
  readonly dbtUniqueId: string | null;
  readonly codeVersion: string | null;
  readonly relation: Relation | null;
  readonly materializedBy: Materializer | null;
  readonly readBy: readonly string[];
  readonly locations: readonly string[];
  readonly definedIn: SourceLocation | null;
  readonly columns: readonly ColumnInfo[];
  readonly checks: readonly CheckInfo[];
  readonly policy: Policy | null;
  readonly upstream: readonly Neighbour[];
  readonly downstream: readonly Neighbour[];
  readonly impact: { readonly count: number; readonly countByKind: readonly { kind: string; count: number }[] };
  readonly diagnostics: readonly DiagnosticInfo[];
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Fields other parts add later; present only when the server has them. */
  readonly materializations?: readonly GenericRow[];
  readonly evaluations?: readonly GenericRow[];
}

export interface LocationInfo {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly origin: string;
  readonly state: "LOADED" | "FAILED";
  readonly loadedAt: string | null;
  readonly loadDurationMs: number | null;
  readonly assetCount: number;
  readonly error: { readonly code: string; readonly message: string; readonly at: string } | null;
  readonly diagnostics: readonly DiagnosticInfo[];
}

export interface FacetCount {
  readonly value: string;
  readonly count: number;
}

/** Facet counts; each facet is counted with every filter but its own, so its other values stay pickable. */
export interface Facets {
  readonly kinds: readonly FacetCount[];
  readonly groups: readonly FacetCount[];
  readonly owners: readonly FacetCount[];
  readonly tags: readonly FacetCount[];
  readonly locations: readonly FacetCount[];
  readonly hasPolicy: readonly FacetCount[];
}

export type LineageDirection = "UPSTREAM" | "DOWNSTREAM" | "BOTH";

export interface LineageNode {
  readonly key: string;
  readonly kinds: readonly string[];
  readonly materializedBy: Pick<Materializer, "tool"> | null;
}

export interface LineageGraph {
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

/** Catalog filters as they appear in the list's URL. */
export interface AssetFilter {
  readonly q?: string;
  readonly kinds?: readonly string[];
  readonly groups?: readonly string[];
  readonly owners?: readonly string[];
  readonly tags?: readonly string[];
  readonly locations?: readonly string[];
  readonly hasPolicy?: boolean;
}

/** Optional API fields, found by introspection once per page load. */
export interface Capabilities {
  readonly policyTree: boolean;
  readonly evaluations: boolean;
  readonly materializations: boolean;
  readonly dryRun: boolean;
  readonly connectorState: string | null;
  /** `Query.assets(orderBy:)`: the list can sort by columns other than the key. */
  readonly orderBy: boolean;
}
