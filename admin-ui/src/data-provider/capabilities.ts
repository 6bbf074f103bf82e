/**
 * Feature detection. Fields other parts of Tributary add over time (`Policy.tree`, `Asset.evaluations`,
 * `Asset.materializations`, `Query.dryRun`, a connector's state) are queried only when introspection shows them,
 * with a selection built from their type: every scalar or enum field, one level deep. The UI shows such rows
 * generically until it gets a designed view of its own, and works the same against a server without them.
 */
import type { Capabilities } from "../types.ts";

interface TypeRef {
  readonly kind: string;
  readonly name: string | null;
  readonly ofType?: TypeRef | null;
}
interface FieldInfo {
  readonly name: string;
  readonly args: readonly { readonly name: string; readonly type: { readonly kind: string } }[];
  readonly type: TypeRef;
}
interface TypeInfo {
  readonly name: string;
  readonly kind: string;
  readonly fields: readonly FieldInfo[] | null;
}
export interface SchemaInfo {
  readonly __schema: { readonly queryType: { readonly fields: readonly FieldInfo[] }; readonly types: readonly TypeInfo[] };
}

/** The named type under lists and non-nulls. */
function namedType(type: TypeRef): TypeRef {
  let current = type;
  while ((current.kind === "NON_NULL" || current.kind === "LIST") && current.ofType) current = current.ofType;
  return current;
}

/** Selections for the optional fields, ready to paste into queries. */
export interface OptionalSelections {
  readonly capabilities: Capabilities;
  readonly policy: string;
  readonly asset: string;
  readonly dryRun: string | null;
  /** Field of an evaluation row holding the asset key, to pick the asset's rows out of dryRun. */
  readonly dryRunKeyField: string | null;
}

export const NO_OPTIONAL_FIELDS: OptionalSelections = {
  capabilities: { policyTree: false, evaluations: false, materializations: false, dryRun: false, connectorState: null, orderBy: false },
  policy: "",
  asset: "",
  dryRun: null,
  dryRunKeyField: null,
};

/** Fields that may carry a tool's state of the asset (Asset.fivetran landed with the Fivetran connector). */
const TOOL_STATE_FIELDS: Readonly<Record<string, string>> = { fivetran: "fivetran", census: "census", connectorState: "any", syncState: "any" };

export function optionalSelections(schema: SchemaInfo): OptionalSelections {
  const types = new Map(schema.__schema.types.map((type) => [type.name, type]));
  const fieldOf = (typeName: string, field: string) => types.get(typeName)?.fields?.find((f) => f.name === field);
  const requiredArgs = (field: FieldInfo) => field.args.some((arg) => arg.type.kind === "NON_NULL");

  const isLeaf = (f: FieldInfo) => !requiredArgs(f) && ["SCALAR", "ENUM"].includes(namedType(f.type).kind);
  /** Scalar fields of an object type, and (one level down) objects made of scalars, e.g. an evaluation's tree. */
  const objectSelection = (typeName: string, depth: number): string | null => {
    const fields = types.get(typeName)?.fields ?? [];
    const parts = fields.flatMap((f) => {
      if (isLeaf(f)) return [f.name];
      const named = namedType(f.type);
      if (depth > 0 && !requiredArgs(f) && named.kind === "OBJECT" && named.name !== null) {
        const inner = objectSelection(named.name, depth - 1);
        return inner === null ? [] : [`${f.name} ${inner}`];
      }
      return [];
    });
    return parts.length === 0 ? null : `{ ${parts.join(" ")} }`;
  };
  /** `name` for a scalar field, `name { a b c }` for an object, null when neither. */
  const selection = (field: FieldInfo, alias = field.name, args = ""): string | null => {
    if (requiredArgs(field)) return null;
    const named = namedType(field.type);
    if (named.kind === "SCALAR" || named.kind === "ENUM") return `${alias}: ${field.name}${args}`;
    if (named.kind !== "OBJECT" || named.name === null) return null;
    const inner = objectSelection(named.name, 1);
    return inner === null ? null : `${alias}: ${field.name}${args} ${inner}`;
  };
  const withFirst = (field: FieldInfo, n: number) => (field.args.some((arg) => arg.name === "first") ? `(first: ${n})` : "");

  const tree = fieldOf("Policy", "tree");
  const treeSelection = tree ? selection(tree) : null;
  const evaluations = fieldOf("Asset", "evaluations");
  const evaluationsSelection = evaluations ? selection(evaluations, "evaluations", withFirst(evaluations, 1)) : null;
  const materializations = fieldOf("Asset", "materializations");
  const materializationsSelection = materializations ? selection(materializations, "materializations", withFirst(materializations, 20)) : null;
  // Each present as `toolState_<name>`, so the page shows the one matching the tool that builds the asset.
  const stateSelections = Object.keys(TOOL_STATE_FIELDS).flatMap((name) => {
    const field = fieldOf("Asset", name);
    const selected = field ? selection(field, `toolState_${name}`) : null;
    return selected === null ? [] : [{ name, selected }];
  });
  const dryRun = schema.__schema.queryType.fields.find((f) => f.name === "dryRun");
  const dryRunSelection = dryRun ? selection(dryRun) : null;
  const dryRunType = dryRun ? namedType(dryRun.type).name : null;
  const dryRunKeyField =
    dryRunType === null ? null : (["assetKey", "key"].find((name) => fieldOf(dryRunType, name) !== undefined) ?? null);

  return {
    capabilities: {
      policyTree: treeSelection !== null,
      evaluations: evaluationsSelection !== null,
      materializations: materializationsSelection !== null,
      dryRun: dryRunSelection !== null && dryRunKeyField !== null,
      connectorState: stateSelections.length === 0 ? null : stateSelections.map((s) => s.name).join(","),
      orderBy: schema.__schema.queryType.fields.find((f) => f.name === "assets")?.args.some((arg) => arg.name === "orderBy") ?? false,
    },
    policy: treeSelection ?? "",
    asset: [evaluationsSelection, materializationsSelection, ...stateSelections.map((s) => s.selected)].filter((s) => s !== null).join("\n"),
    dryRun: dryRunSelection === null || dryRunKeyField === null ? null : `query DryRun { ${dryRunSelection} }`,
    dryRunKeyField,
  };
}
