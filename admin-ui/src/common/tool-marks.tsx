/**
 * Colours and marks of the tools and kinds an asset can have, as plain elements: the catalog list's first paint
 * (boot/) draws them before MUI has loaded, and the list and lineage graph draw hundreds of them.
 */
export interface ToolStyle {
  readonly label: string;
  readonly color: string;
  /** Text colour on `color`. */
  readonly contrast: string;
  /** One or two letters drawn in the mark. */
  readonly mark: string;
  /** Tools that build or read are round; warehouses (where the data is stored) are square. */
  readonly shape?: "round" | "square";
}

const TOOLS: Readonly<Record<string, ToolStyle>> = {
  dbt: { label: "dbt", color: "#FF694B", contrast: "#fff", mark: "d" },
  fivetran: { label: "Fivetran", color: "#0073FF", contrast: "#fff", mark: "F" },
  census: { label: "Census", color: "#7A3FE4", contrast: "#fff", mark: "C" },
  duckdb: { label: "DuckDB", color: "#FFD600", contrast: "#1d1d1d", mark: "D", shape: "square" },
  postgres: { label: "Postgres", color: "#336791", contrast: "#fff", mark: "P", shape: "square" },
  snowflake: { label: "Snowflake", color: "#29B5E8", contrast: "#fff", mark: "S", shape: "square" },
  bigquery: { label: "BigQuery", color: "#4285F4", contrast: "#fff", mark: "B", shape: "square" },
  source: { label: "source", color: "#667085", contrast: "#fff", mark: "s" },
  seed: { label: "seed", color: "#12B76A", contrast: "#fff", mark: "s" },
  snapshot: { label: "snapshot", color: "#875BF7", contrast: "#fff", mark: "s" },
  exposure: { label: "exposure", color: "#0E9384", contrast: "#fff", mark: "e" },
  dashboard: { label: "dashboard", color: "#0BA5EC", contrast: "#fff", mark: "▦" },
};

const FALLBACK_COLORS = ["#6172F3", "#EE46BC", "#F79009", "#2E90FA", "#15B79E", "#9E77ED"];

/** The style of a tool or kind; unknown kinds get a stable colour from their name. */
export function toolStyle(kind: string): ToolStyle {
  const known = TOOLS[kind.toLowerCase()];
  if (known !== undefined) return known;
  let hash = 0;
  for (const char of kind) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return { label: kind, color: FALLBACK_COLORS[hash % FALLBACK_COLORS.length] ?? "#667085", contrast: "#fff", mark: kind.slice(0, 1) };
}

/** The tool a graph node or row is coloured by: what materializes it, else its most specific tool kind. */
export function primaryTool(kinds: readonly string[], materializedBy: { tool: string } | null): string {
  if (materializedBy !== null) return materializedBy.tool;
  for (const tool of ["census", "fivetran", "dbt"]) if (kinds.includes(tool)) return tool;
  return kinds[0] ?? "unknown";
}

/** A round mark with the tool's letter (a plain span: it is drawn hundreds of times). */
export function ToolMark({ kind, size = 18 }: { kind: string; size?: number }) {
  const style = toolStyle(kind);
  return (
    <span
      aria-hidden
      style={{
        width: size,
        height: size,
        borderRadius: style.shape === "square" ? "22%" : "50%",
        background: style.color,
        color: style.contrast,
        display: "inline-flex",
        alignItems: "center",
        justifyContent: "center",
        fontSize: size * 0.6,
        fontWeight: 700,
        lineHeight: 1,
        flexShrink: 0,
      }}
    >
      {style.mark}
    </span>
  );
}

/** Tools that say which tool built or reads an asset; they never make an asset's second mark. */
const TOOL_KINDS = new Set(["dbt", "fivetran", "census", "source"]);

/**
 * An asset's two marks for dense tables: the tool that builds it, then the most telling other kind (where it is
 * stored, the destination it syncs to, or seed/snapshot/exposure). All kinds are in the title. Always two slots
 * wide, so keys line up down the table.
 */
export function AssetMarks({ kinds, materializedBy }: { kinds: readonly string[]; materializedBy: { tool: string } | null }) {
  const primary = primaryTool(kinds, materializedBy);
  const secondary = kinds.find((kind) => kind !== primary && !TOOL_KINDS.has(kind.toLowerCase()));
  return (
    <span className="asset-marks" title={kinds.map((kind) => toolStyle(kind).label).join(", ")} aria-label={kinds.join(", ")}>
      <ToolMark kind={primary} />
      {secondary !== undefined && <ToolMark kind={secondary} />}
    </span>
  );
}
