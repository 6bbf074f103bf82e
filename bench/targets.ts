/**
 * Issue 18's performance targets, gathered from the sub-benches of one `npm run bench` and printed together at
 * its end: each target's figure beside its baseline (JSON.parse, dagster-dbt, the in-process closure, a settled
 * tick) and whether it is met on this run. A sub-bench run alone records nothing anyone reads.
 */
export interface TargetFigure {
  /** The number for it (1–5). */
  readonly target: number;
  readonly what: string;
  readonly figure: string;
  readonly baseline: string;
  readonly goal: string;
  readonly met: boolean;
}

const figures: TargetFigure[] = [];

export function recordTarget(figure: TargetFigure): void {
  figures.push(figure);
}

/** The table of every figure recorded, by target; nothing when none was (every sub-bench skipped). */
export function printTargets(loadAverage: string): void {
  if (figures.length === 0) return;
  console.log(`\nIssue 18's targets, this run (load average ${loadAverage}):`);
  console.log("| # | what | figure | baseline | target | met |");
  console.log("|---|---|---|---|---|---|");
  for (const f of [...figures].sort((a, b) => a.target - b.target)) {
    console.log(`| ${f.target} | ${f.what} | ${f.figure} | ${f.baseline} | ${f.goal} | ${f.met ? "yes" : "**no**"} |`);
  }
}
