/**
 * The catalog's table of assets: plain elements styled by catalog.css, no MUI. The list view draws it inside
 * react-admin, and the first paint (boot/first-paint.tsx) draws the same rows before react-admin has loaded, so
 * the two must be one component. Fifty rows of MUI table cells cost several times the request that fetched them.
 */
import { Fragment, type MouseEvent } from "react";
import { useIsFirstPaint } from "../boot/first-paint-context.ts";
import { ago } from "../common/format.ts";
import { plainText } from "../common/plain-text.ts";
import { FreshnessBadge } from "../common/freshness-badge.tsx";
import { StatusBadge } from "../common/status-badge.tsx";
import { AssetMarks } from "../common/tool-marks.tsx";
import type { AssetSummary } from "../types.ts";
import { lagText } from "./automation-text.ts";
import { assetPath } from "./paths.ts";

export type SortOrder = "ASC" | "DESC";

export interface TableSort {
  readonly field: string;
  readonly order: SortOrder;
}

interface Column {
  readonly label: string;
  readonly className: string;
  readonly sortBy?: string;
  /** The direction of the first click: assets with a policy come first. */
  readonly firstOrder?: SortOrder;
}

const COLUMNS: readonly Column[] = [
  { label: "Asset", className: "col-asset", sortBy: "key" },
  { label: "Status", className: "col-status" },
  { label: "Description", className: "col-description" },
  { label: "Group / owners", className: "col-group", sortBy: "group" },
  { label: "Tags", className: "col-tags" },
  { label: "Policy", className: "col-policy", sortBy: "policy", firstOrder: "DESC" },
];

/** A column header: sortable ones are buttons that set (or flip) the order; static without `onSort`. */
function Header({ column, sort, onSort }: { column: Column; sort: TableSort; onSort: ((sort: TableSort) => void) | undefined }) {
  const { label, className, sortBy, firstOrder = "ASC" } = column;
  if (sortBy === undefined) return <th scope="col" className={className}>{label}</th>;
  const active = sort.field === sortBy;
  const next: SortOrder = active ? (sort.order === "ASC" ? "DESC" : "ASC") : firstOrder;
  const arrow = <span className="arrow" aria-hidden>{active ? (sort.order === "ASC" ? "↑" : "↓") : ""}</span>;
  return (
    <th scope="col" className={className} aria-sort={active ? (sort.order === "ASC" ? "ascending" : "descending") : "none"}>
      {onSort === undefined ? (
        <span className="sort">{label}{arrow}</span>
      ) : (
        <button type="button" className="sort" data-sort={sortBy} onClick={() => onSort({ field: sortBy, order: next })} title={`Sort by ${label.toLowerCase()}`}>
          {label}
          {arrow}
        </button>
      )}
    </th>
  );
}

/** The asset's state, its freshness target's when it has one, and when its data last changed: "stale · 5 min ago". */
export function StatusCell({ status, lastUpdatedAt, freshness = null }: { status: AssetSummary["status"]; lastUpdatedAt: string | null; freshness?: AssetSummary["freshnessTarget"] }) {
  const when = lastUpdatedAt === null ? null : ago(lastUpdatedAt);
  return (
    <>
      <div className="badges">
        <StatusBadge status={status} />
        {freshness !== null && <FreshnessBadge state={freshness.state} title={freshnessTitle(freshness)} />}
      </div>
      <div className="updated" title={lastUpdatedAt === null ? undefined : `Data last updated ${lastUpdatedAt}`}>
        {when === null ? <span className="muted">never updated</span> : when}
      </div>
    </>
  );
}

/** The freshness badge's tooltip: the target, and since or until when. */
function freshnessTitle(target: NonNullable<AssetSummary["freshnessTarget"]>): string {
  const due = target.overdueSince !== null ? ` Overdue since ${target.overdueSince}.` : target.overdueAt !== null ? ` Overdue at ${target.overdueAt} unless materialized.` : "";
  return `Freshness target: at most ${lagText(target.maximumLagMinutes)} old.${due}`;
}

/** A description as one or two lines of plain text (markdown marks dropped: the asset page renders it). */
function Description({ text }: { text: string | null }) {
  if (!text) return <span className="muted">—</span>;
  const plain = plainText(text);
  return (
    <div className="description" title={plain}>
      {plain}
    </div>
  );
}

function GroupAndOwners({ group, owners }: { group: string | null; owners: readonly string[] }) {
  return (
    <>
      <div className="group">{group ?? <span className="muted">no group</span>}</div>
      <div className="owners" title={owners.join(", ")}>
        {owners.length === 0 ? <span className="muted">no owner</span> : owners.map((owner) => owner.split("@")[0]).join(", ")}
      </div>
    </>
  );
}

function Tags({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return <span className="muted">—</span>;
  return (
    <div className="tags" title={tags.join(", ")}>
      {tags.slice(0, 2).map((tag) => (
        <span key={tag} className="tag">
          {tag}
        </span>
      ))}
      {tags.length > 2 && <span className="tag more">+{tags.length - 2}</span>}
    </div>
  );
}

// MUI's Bolt icon as a plain path: an SVG component per row would be another 50 styled components.
const BOLT = "M11 21h-1l1-7H7.5c-.58 0-.57-.32-.38-.66.19-.34.05-.08.07-.12C8.48 10.94 10.42 7.54 13 3h1l-1 7h3.5c.49 0 .56.33.47.51l-.07.15C12.96 17.55 11 21 11 21z";

function Policy({ policy }: { policy: AssetSummary["policy"] }) {
  if (policy === null) return <span className="muted">—</span>;
  return (
    <span className="policy" title={policy.label}>
      <svg viewBox="0 0 24 24" width="14" height="14" fill="currentColor" aria-hidden>
        <path d={BOLT} />
      </svg>
      {policy.type?.toLowerCase().replace("_", " ") ?? "condition"}
    </span>
  );
}

/**
 * A key that wraps between its path segments first: each segment ("marts/", "channel_mapping") is an inline
 * block, so a line breaks after a "/" rather than inside a segment that fits a line of its own; a segment
 * longer than the whole column breaks after its "_" and "." (catalog.css `.key-segment`).
 */
export function BreakableKey({ text }: { text: string }) {
  const segments = text.split(/(?<=\/)/);
  return (
    <>
      {segments.map((segment, i) => {
        const words = segment.split(/(?<=[_.])/);
        return (
          <span key={i} className="key-segment">
            {words.map((word, j) => (
              <Fragment key={j}>
                {word}
                {j < words.length - 1 && <wbr />}
              </Fragment>
            ))}
          </span>
        );
      })}
    </>
  );
}

/** A plain left click, which the app handles itself; others (new tab, new window) stay the browser's. */
const isPlainClick = (event: MouseEvent) => event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;

/** The rows picked for a launch, and how to change them; without it (the first paint) the boxes are inert. */
export interface TableSelection {
  readonly selected: ReadonlySet<string>;
  readonly onChange: (next: ReadonlySet<string>) => void;
}

export interface AssetTableProps {
  readonly rows: readonly AssetSummary[];
  readonly selection?: TableSelection;
  readonly sort: TableSort;
  /** Sets the order (the list keeps it in the URL); without it the headers are static. */
  readonly onSort?: (sort: TableSort) => void;
  /** Opens an asset inside the app; without it, links load the asset page. */
  readonly onOpen?: (key: string) => void;
}

/** The rows of a page; a row opens its asset, and the key is also a link (keyboards, new tabs). */
export function AssetTable({ rows, sort, onSort, onOpen, selection }: AssetTableProps) {
  // The first paint marks its keys `data-first-paint-key` (boot/first-paint-context.ts).
  const firstPaint = useIsFirstPaint();
  const open = (key: string) => (event: MouseEvent) => {
    if (onOpen === undefined || !isPlainClick(event)) return;
    event.preventDefault();
    onOpen(key);
  };
  return (
    <div className="asset-grid">
      <table className="asset-table">
        <colgroup>
          <col className="col-select" />
          {COLUMNS.map((column) => (
            <col key={column.label} className={column.className} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className="col-select">
              <input
                type="checkbox"
                aria-label="Select every asset on this page"
                disabled={selection === undefined}
                checked={selection !== undefined && rows.length > 0 && rows.every((row) => selection.selected.has(row.key))}
                onChange={(event) => {
                  if (selection === undefined) return;
                  const next = new Set(selection.selected);
                  for (const row of rows) {
                    if (event.target.checked) next.add(row.key);
                    else next.delete(row.key);
                  }
                  selection.onChange(next);
                }}
              />
            </th>
            {COLUMNS.map((column) => (
              <Header key={column.label} column={column} sort={sort} onSort={onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((record) => (
            <tr key={record.key} onClick={onOpen === undefined ? undefined : open(record.key)}>
              <td className="col-select" onClick={(event) => event.stopPropagation()}>
                <input
                  type="checkbox"
                  aria-label={`Select ${record.key}`}
                  data-select-key={selection === undefined ? undefined : record.key}
                  disabled={selection === undefined}
                  checked={selection?.selected.has(record.key) ?? false}
                  onChange={(event) => {
                    if (selection === undefined) return;
                    const next = new Set(selection.selected);
                    if (event.target.checked) next.add(record.key);
                    else next.delete(record.key);
                    selection.onChange(next);
                  }}
                />
              </td>
              <td className="col-asset">
                <div className="asset-key-cell">
                  <AssetMarks kinds={record.kinds} materializedBy={record.materializedBy} />
                  <div className="asset-key-text">
                    <a
                      href={assetPath(record.key)}
                      onClick={(event) => {
                        event.stopPropagation();
                        open(record.key)(event);
                      }}
                      {...{ [firstPaint ? "data-first-paint-key" : "data-asset-key"]: record.key }}
                    >
                      <BreakableKey text={record.key} />
                    </a>
                    {record.relation && <div className="relation" title={record.relation.fullName}>{record.relation.fullName}</div>}
                  </div>
                </div>
              </td>
              <td className="col-status">
                <StatusCell status={record.status} lastUpdatedAt={record.lastUpdatedAt} freshness={record.freshnessTarget} />
              </td>
              <td className="col-description">
                <Description text={record.description} />
              </td>
              <td className="col-group">
                <GroupAndOwners group={record.group} owners={record.owners} />
              </td>
              <td className="col-tags">
                <Tags tags={record.tags} />
              </td>
              <td className="col-policy">
                <Policy policy={record.policy} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
