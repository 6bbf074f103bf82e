/**
 * Carry-forward's fingerprints: every input of an asset's evaluation besides the cursor and the clock, hashed,
 * so a quiet tick with the same fingerprint reuses the previous result (see evaluate.ts), and the check that an
 * evaluation left its node states as they were.
 */
import type { EvaluationNode } from "../../catalog/model/index.ts";
import type { NodeCursor } from "./state.ts";

/**
 * A 53-bit hash of numbers (and strings), in two 32-bit lanes: cheap enough to compute for every asset on
 * every tick. A collision would need two different input sets of one asset to hash alike on both lanes.
 */
export class Fingerprint {
  private a = 0x811c9dc5;
  private b = 0x01000193;

  add(value: number): this {
    const low = value | 0;
    const high = Math.floor(value / 4294967296) | 0;
    this.a = Math.imul(this.a ^ low, 0x9e3779b1);
    this.a = Math.imul(this.a ^ high, 0x85ebca6b) ^ (this.a >>> 15);
    this.b = Math.imul(this.b ^ low, 0xc2b2ae35);
    this.b = Math.imul(this.b ^ high, 0x27d4eb2f) ^ (this.b >>> 13);
    return this;
  }

  addText(text: string): this {
    for (let k = 0; k < text.length; k++) this.add(text.charCodeAt(k));
    return this.add(text.length);
  }

  value(): number {
    return (this.a >>> 0) * 2097152 + (this.b >>> 11);
  }
}

export function sameNodes(a: Readonly<Record<string, NodeCursor>>, b: Readonly<Record<string, NodeCursor>>): boolean {
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  for (const key of keys) {
    const x = a[key];
    const y = b[key]!;
    if (x === undefined || x.value !== y.value || JSON.stringify(x.extra ?? null) !== JSON.stringify(y.extra ?? null)) return false;
    if ((x.subset !== undefined || y.subset !== undefined) && JSON.stringify(x.subset ?? null) !== JSON.stringify(y.subset ?? null)) return false;
  }
  return true;
}


/**
 * The hash of an evaluation's values: every node's id and value (in tree order) and whether it requested a run.
 * Reasons are left out, as Dagster's `value_hash` leaves out descriptions: an evaluation whose values equal the
 * asset's previous one is not stored again.
 */
export function valueHash(tree: EvaluationNode, requested: boolean): number {
  const print = new Fingerprint().add(requested ? 1 : 0);
  const visit = (node: EvaluationNode): void => {
    print.addText(node.id).add(node.value ? 1 : 0).add(node.children.length);
    // Per partition (a partitioned asset), which partitions held: Dagster's value hash covers the subset too.
    if (node.partitions !== undefined) print.add(node.partitions.count).add(node.partitions.of).addText(node.partitions.keys);
    for (const child of node.children) visit(child);
  };
  visit(tree);
  return print.value();
}
