/**
 * dbt's node selection syntax, parsed as dbt-core 1.11 parses it (dbt/graph/selector_spec.py and cli.py): a
 * selection is a union of space-separated terms, each an intersection of comma-separated criteria, each
 * `[@][n+][method[.arg]:]value[+n]`. A value without a method is a path when it has a `/`, a file when it ends
 * in .sql/.py/.csv, else an fqn (a model's name or dotted path).
 */
export type SelectionMethod =
  | "fqn"
  | "tag"
  | "path"
  | "file"
  | "package"
  | "config"
  | "resource_type"
  | "source"
  | "exposure"
  | "access"
  | "version"
  | "key";

/** dbt's methods Tributary does not evaluate (they select tests or need a previous state), with why. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  test_name: "it selects tests, and a job selects assets (a model's tests run with it)",
  test_type: "it selects tests, and a job selects assets (a model's tests run with it)",
  unit_test: "it selects unit tests, and a job selects assets",
  state: "it needs a previous manifest (state:modified), which Tributary does not keep",
  result: "it needs a previous run's run_results.json",
  source_status: "it needs a previous sources.json",
  metric: "metrics are not assets in Tributary",
  semantic_model: "semantic models are not assets in Tributary",
  saved_query: "saved queries are not assets in Tributary",
  group: "Tributary's asset group is dagster-dbt's group, not dbt's config.group; use tag:, path: or fqn",
};

const METHODS: ReadonlySet<string> = new Set<SelectionMethod>([
  "fqn",
  "tag",
  "path",
  "file",
  "package",
  "config",
  "resource_type",
  "source",
  "exposure",
  "access",
  "version",
  "key",
]);

/** The resource types dbt knows (dbt's NodeType), for a clear error on a misspelt one. */
export const DBT_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  "model",
  "analysis",
  "test",
  "snapshot",
  "operation",
  "seed",
  "rpc",
  "sql_operation",
  "doc",
  "source",
  "macro",
  "exposure",
  "metric",
  "group",
  "saved_query",
  "semantic_model",
  "unit_test",
  "fixture",
  "function",
]);

/** One criterion: `2+tag:nightly+` is {method: tag, value: nightly, parents: 2, children: all}. */
export interface SelectionCriterion {
  /** The criterion as written. */
  readonly raw: string;
  readonly method: SelectionMethod;
  /** `config.materialized` → ["materialized"]. */
  readonly methodArguments: readonly string[];
  readonly value: string;
  /** `@x`: x, its descendants, and the ancestors of all of them. */
  readonly childrensParents: boolean;
  /** Null: not asked; Infinity: every generation (`+x`); n: n generations (`n+x`). */
  readonly parentsDepth: number | null;
  readonly childrenDepth: number | null;
}

/** A union of intersections of criteria. */
export type SelectionUnion = readonly (readonly SelectionCriterion[])[];

/** A parsed selection: what `--select` picks, minus what `--exclude` picks. */
export interface ParsedSelection {
  readonly select: SelectionUnion;
  readonly exclude: SelectionUnion;
}

/** A selection that cannot be parsed: names the criterion and says what is wrong. */
export class SelectionSyntaxError extends Error {
  override readonly name = "SelectionSyntaxError";
  readonly code = "SELECTION_SYNTAX";
  constructor(
    readonly criterion: string,
    reason: string,
  ) {
    super(`invalid selector "${criterion}": ${reason}`);
  }
}

const RAW_SELECTOR = /^(?<childrensParents>@)?(?<parents>(?<parentsDepth>\d*)\+)?(?:(?<method>[\w.]+):)?(?<value>.*?)(?<children>\+(?<childrenDepth>\d*))?$/su;

/** Parses one criterion (`+tag:nightly`, `orders+2`, `config.materialized:table`). */
export function parseCriterion(raw: string): SelectionCriterion {
  const match = RAW_SELECTOR.exec(raw);
  const groups = match?.groups;
  if (!groups) throw new SelectionSyntaxError(raw, "not a selector");
  const value = groups["value"] ?? "";
  if (value === "") throw new SelectionSyntaxError(raw, "no search value");
  const childrensParents = groups["childrensParents"] !== undefined;
  const children = groups["children"] !== undefined;
  if (childrensParents && children) throw new SelectionSyntaxError(raw, 'the "@" prefix and the "+" suffix cannot be combined');
  const depth = (present: boolean, digits: string | undefined): number | null => (!present ? null : digits ? Number(digits) : Number.POSITIVE_INFINITY);
  let method: SelectionMethod;
  let methodArguments: string[] = [];
  const rawMethod = groups["method"];
  if (rawMethod === undefined) {
    method = value.includes("/") || value.includes("\\") ? "path" : /\.(sql|py|csv)$/i.test(value) ? "file" : "fqn";
  } else {
    const [name, ...args] = rawMethod.split(".");
    if (name !== undefined && Object.hasOwn(UNSUPPORTED, name)) {
      throw new SelectionSyntaxError(raw, `the method "${name}" is dbt's, but Tributary does not evaluate it: ${UNSUPPORTED[name]}`);
    }
    if (name === undefined || !METHODS.has(name)) {
      throw new SelectionSyntaxError(raw, `"${name ?? rawMethod}" is not a selection method (${[...METHODS].join(", ")})`);
    }
    method = name as SelectionMethod;
    methodArguments = args;
  }
  if (method === "config" && methodArguments.length === 0) throw new SelectionSyntaxError(raw, "config needs a field: config.materialized:table");
  if (method === "config" && (methodArguments.length !== 1 || methodArguments[0] !== "materialized")) {
    throw new SelectionSyntaxError(raw, `config.${methodArguments.join(".")} is not evaluated (Tributary keeps config.materialized only)`);
  }
  if (method !== "config" && methodArguments.length > 0) throw new SelectionSyntaxError(raw, `the method "${method}" takes no ".${methodArguments.join(".")}"`);
  if (method === "resource_type" && !DBT_RESOURCE_TYPES.has(value)) {
    throw new SelectionSyntaxError(raw, `"${value}" is not a dbt resource type (${[...DBT_RESOURCE_TYPES].join(", ")})`);
  }
  if (method === "source" && value.split(".").length > 3) {
    throw new SelectionSyntaxError(raw, "a source is source_name, source_name.table_name or package.source_name.table_name");
  }
  if (method === "exposure" && value.split(".").length > 2) throw new SelectionSyntaxError(raw, "an exposure is name or package.name");
  if (method === "access" && !["public", "protected", "private"].includes(value)) {
    throw new SelectionSyntaxError(raw, "access is public, protected or private");
  }
  const parentsDepth = depth(groups["parents"] !== undefined, groups["parentsDepth"]);
  const childrenDepth = depth(children, groups["childrenDepth"]);
  return { raw, method, methodArguments, value, childrensParents, parentsDepth, childrenDepth };
}

/**
 * Parses a selection as dbt's `--select`: each string is split on whitespace into union terms, each term on
 * commas into an intersection. An empty list selects nothing.
 */
export function parseUnion(selection: string | readonly string[]): SelectionUnion {
  const args = typeof selection === "string" ? [selection] : selection;
  const union: SelectionCriterion[][] = [];
  for (const arg of args) {
    for (const term of arg.split(/\s+/u)) {
      if (term === "") continue;
      const parts = term.split(",");
      if (parts.some((part) => part === "")) throw new SelectionSyntaxError(term, "an empty part in a comma intersection");
      union.push(parts.map(parseCriterion));
    }
  }
  return union;
}

/** Parses `select` and `exclude` (dbt's `--select … --exclude …`). Throws {@link SelectionSyntaxError}. */
export function parseSelection(select: string | readonly string[], exclude: string | readonly string[] = []): ParsedSelection {
  return { select: parseUnion(select), exclude: parseUnion(exclude) };
}
