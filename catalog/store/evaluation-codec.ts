/**
 * The compact stored form of a condition evaluation (migration 0010). An evaluation tree repeats, in every row,
 * what only the condition and the asset's deps decide: each node's id, name and label and the tree's structure
 * (7.6 KB of JSON per asset of the eager bench, of which values and reasons are a fraction). So a row stores:
 *
 * - a *shape*, once per distinct one in condition_tree_shapes: the structure and the strings of id, name and
 *   label, with each dependency's id replaced by a placeholder (ids `<node>@<dep>` and names `dep <dep>` end with
 *   it), so that the assets sharing a condition and a number of deps share a shape;
 * - the row's *values*: the dependency ids in placeholder order, each node's value and reason (the distinct
 *   reasons once), and the partitions of nodes evaluated over partitions.
 *
 * Decoding gives back the tree exactly (the tests compare trees field by field). A tree this form cannot hold
 * exactly — a string with the placeholder's marker character — is stored whole, as before.
 */
import { createHash } from "node:crypto";
import type { EvaluationNode } from "../model/index.ts";
import { createStringTable } from "../../support/index.ts";

/** Marks a placeholder: `\u0001<index>\u0001` (not \u0000, which jsonb rejects). */
const MARK = "\u0001";

/** What condition_tree_shapes.shape holds. */
export interface StoredShape {
  readonly v: 1;
  /** The distinct id, name and label strings, placeholders in. */
  readonly strings: readonly string[];
  /** Per node in pre-order: its id, name and label (-1: the name) as indexes into `strings`, and its child count. */
  readonly nodes: readonly number[];
}

/** What condition_evaluations.node_values holds. */
export interface StoredValues {
  /** The placeholders' values (dependency ids), by index. */
  readonly p: readonly string[];
  /** The distinct reasons. */
  readonly r: readonly string[];
  /** Per node in pre-order: (its reason's index + 1, 0 when it has none) × 2 + its value. */
  readonly n: readonly number[];
  /** The nodes evaluated over partitions: [node index, count, of, keys]. */
  readonly s?: readonly (readonly [number, number, number, string])[];
}

export interface EncodedEvaluation {
  readonly shapeHash: string;
  /** The shape's JSON text (what its hash is of). */
  readonly shape: string;
  readonly values: StoredValues;
}

/** The tree's compact form, or null when it must be stored whole. */
export function encodeEvaluationTree(tree: EvaluationNode): EncodedEvaluation | null {
  // The placeholders: what follows the first @ of ids `<node>@<dep>`, in order of first appearance (a node's id is read before
  // its name and its children, so a dep node's name finds its dep's placeholder).
  const params = new Map<string, number>();
  const { strings, intern } = createStringTable();
  const templateId = (id: string): string => {
    const at = id.indexOf("@");
    if (at < 0 || at === id.length - 1) return id;
    const suffix = id.slice(at + 1);
    let k = params.get(suffix);
    if (k === undefined) params.set(suffix, (k = params.size));
    return `${id.slice(0, at + 1)}${MARK}${k}${MARK}`;
  };
  // A name or label ending with a placeholder's value after a space (`dep <dep>`) stores the placeholder.
  const templateName = (text: string): string => {
    for (let at = text.indexOf(" "); at >= 0; at = text.indexOf(" ", at + 1)) {
      const k = params.get(text.slice(at + 1));
      if (k !== undefined) return `${text.slice(0, at + 1)}${MARK}${k}${MARK}`;
    }
    return text;
  };
  const reasons: string[] = [];
  const reasonIndex = new Map<string, number>();
  const nodes: number[] = [];
  const codes: number[] = [];
  const partitions: [number, number, number, string][] = [];
  let exact = true;
  const visit = (node: EvaluationNode): void => {
    if (node.id.includes(MARK) || node.name.includes(MARK) || node.label.includes(MARK)) exact = false;
    const id = intern(templateId(node.id));
    const name = intern(templateName(node.name));
    nodes.push(id, name, node.label === node.name ? -1 : intern(templateName(node.label)), node.children.length);
    let reason = 0;
    if (node.reason !== null) {
      let found = reasonIndex.get(node.reason);
      if (found === undefined) reasonIndex.set(node.reason, (found = reasons.push(node.reason) - 1));
      reason = found + 1;
    }
    codes.push(reason * 2 + (node.value ? 1 : 0));
    if (node.partitions !== undefined) partitions.push([codes.length - 1, node.partitions.count, node.partitions.of, node.partitions.keys]);
    for (const child of node.children) visit(child);
  };
  visit(tree);
  if (!exact) return null;
  const shape: StoredShape = { v: 1, strings, nodes };
  const text = JSON.stringify(shape);
  return {
    shapeHash: createHash("md5").update(text).digest("hex"),
    shape: text,
    values: { p: [...params.keys()], r: reasons, n: codes, ...(partitions.length > 0 ? { s: partitions } : {}) },
  };
}

/** The tree a shape and a row's values stand for; throws when they do not fit together. */
export function decodeEvaluationTree(shape: StoredShape, values: StoredValues): EvaluationNode {
  const fill = (text: string): string => {
    if (!text.includes(MARK)) return text;
    const parts = text.split(MARK);
    for (let i = 1; i < parts.length; i += 2) {
      const value = values.p[Number(parts[i])];
      if (value === undefined) throw new Error(`the evaluation's values lack placeholder ${parts[i]}`);
      parts[i] = value;
    }
    return parts.join("");
  };
  const strings = shape.strings.map(fill);
  const partitions = new Map((values.s ?? []).map(([node, count, of, keys]) => [node, { count, of, keys }]));
  const count = shape.nodes.length / 4;
  if (values.n.length !== count) throw new Error(`the evaluation has ${values.n.length} values for a shape of ${count} nodes`);
  let next = 0;
  const build = (): EvaluationNode => {
    const i = next++;
    if (i >= count) throw new Error("the evaluation's shape ends early");
    const id = strings[shape.nodes[i * 4]!]!;
    const name = strings[shape.nodes[i * 4 + 1]!]!;
    const labelIndex = shape.nodes[i * 4 + 2]!;
    const code = values.n[i]!;
    const reason = code >> 1;
    const children: EvaluationNode[] = [];
    for (let c = shape.nodes[i * 4 + 3]!; c > 0; c--) children.push(build());
    const node: EvaluationNode = {
      id,
      name,
      label: labelIndex === -1 ? name : strings[labelIndex]!,
      value: (code & 1) === 1,
      reason: reason === 0 ? null : values.r[reason - 1]!,
      children,
    };
    const nodePartitions = partitions.get(i);
    return nodePartitions === undefined ? node : { ...node, partitions: nodePartitions };
  };
  const tree = build();
  if (next !== count) throw new Error("the evaluation's shape has nodes left over");
  return tree;
}
