/**
 * What the asset page's column lineage panel says, from one `ColumnLineagePanel` answer. Column lineage is
 * computed after a load, on the server's worker thread (`Location.columnLineage`): until it is DONE every
 * `Column.lineage` is null, which must not read as "this model has none". So the panel tells computing (with
 * the location's progress), failed (with its error) and done-without-lineage apart.
 */
import { thousands } from "../common/format.ts";
import type { ColumnLineagePanelQuery, ColumnLineageState } from "../generated/graphql.ts";

export type ColumnWithLineage = NonNullable<ColumnLineagePanelQuery["asset"]>["columns"][number];

/** A location of the asset whose column lineage is not served yet. */
export interface LineageInProgress {
  readonly location: string;
  readonly state: Extract<ColumnLineageState, "PENDING" | "COMPUTING">;
  /** Models with compiled SQL, once the computation has said; null before. */
  readonly models: number | null;
  readonly modelsDone: number;
}

/** A location of the asset served without column lineage until its next load. */
export interface LineageFailure {
  readonly location: string;
  readonly error: string;
}

export interface ColumnLineagePanelView {
  /** False when there is nothing to say: not a dbt model, no documented columns, no lineage to compute. */
  readonly shown: boolean;
  readonly inProgress: readonly LineageInProgress[];
  readonly failures: readonly LineageFailure[];
  /** True while some location is still computing (the panel polls until it is not). */
  readonly computing: boolean;
  /** The asset's columns, in order; each `lineage` null where none is known (yet). */
  readonly columns: readonly ColumnWithLineage[];
  /** True when at least one column's lineage is known. */
  readonly anyLineage: boolean;
}

const NOTHING: ColumnLineagePanelView = { shown: false, inProgress: [], failures: [], computing: false, columns: [], anyLineage: false };

/** Only dbt models get column lineage (from their compiled SQL); sources, seeds and snapshots never do. */
const isDbtModel = (dbtUniqueId: string | null): boolean => dbtUniqueId?.startsWith("model.") ?? false;

/** The panel's view of one answer (undefined while the first request is in flight). */
export function columnLineagePanelView(data: ColumnLineagePanelQuery | undefined): ColumnLineagePanelView {
  const asset = data?.asset;
  if (!data || !asset) return NOTHING;
  const mine = new Set(asset.locations);
  const computations = data.locations.filter((location) => mine.has(location.name) && location.columnLineage !== null);
  const inProgress: LineageInProgress[] = [];
  const failures: LineageFailure[] = [];
  for (const { name, columnLineage } of computations) {
    if (columnLineage === null) continue;
    if (columnLineage.state === "PENDING" || columnLineage.state === "COMPUTING") {
      inProgress.push({ location: name, state: columnLineage.state, models: columnLineage.models, modelsDone: columnLineage.modelsDone });
    } else if (columnLineage.state === "FAILED") {
      failures.push({ location: name, error: columnLineage.error ?? "no reason given" });
    }
  }
  const anyLineage = asset.columns.some((column) => column.lineage !== null);
  // Lineage hangs off documented columns: a model without any has nothing to show, computed or not.
  const awaited = isDbtModel(asset.dbtUniqueId) && asset.columns.length > 0 && computations.length > 0;
  return { shown: anyLineage || awaited, inProgress, failures, computing: inProgress.length > 0, columns: asset.columns, anyLineage };
}

/** "Column lineage is being computed — 12 of 40 models", or what waits, for one location. */
export function inProgressText(progress: LineageInProgress): string {
  if (progress.state === "PENDING") return "Column lineage is waiting to be computed (after another location's)";
  if (progress.models === null) return "Column lineage is being computed";
  return `Column lineage is being computed — ${thousands(progress.modelsDone)} of ${thousands(progress.models)} models`;
}
