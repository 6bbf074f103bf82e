"""Real dbt's answer to many selections, for the selection differential test (server/selection-dbt.test.ts).

Usage: python dbt-ls-batch.py PROJECT_DIR TARGET_DIR < cases.json > answers.json
cases.json: [{"select": "...", "exclude": "..."}, ...]; answers: [{"ids": [...]} or {"error": "..."}, ...].
Parses once (writing TARGET_DIR/manifest.json, which the test loads into Tributary's catalog), then runs
`dbt ls` for each case on that manifest in this process: one parse instead of one per case.
"""
import io
import json
import sys
from contextlib import redirect_stdout

from dbt.cli.main import dbtRunner

project_dir, target_dir = sys.argv[1], sys.argv[2]
common = ["--project-dir", project_dir, "--profiles-dir", project_dir, "--target-path", target_dir, "--log-path", target_dir, "--quiet"]
cases = json.load(sys.stdin)

with redirect_stdout(io.StringIO()):
    parsed = dbtRunner().invoke(["parse", *common])
if not parsed.success:
    raise SystemExit(f"dbt parse failed: {parsed.exception}")
runner = dbtRunner(manifest=parsed.result)

answers = []
for case in cases:
    args = ["ls", *common, "--resource-type", "model", "seed", "snapshot", "source", "exposure", "--output", "json", "--output-keys", "unique_id", "--select", *case["select"].split()]
    if case.get("exclude"):
        args += ["--exclude", *case["exclude"].split()]
    with redirect_stdout(io.StringIO()):
        result = runner.invoke(args)
    if not result.success:
        answers.append({"error": str(result.exception)})
        continue
    ids = sorted(json.loads(line)["unique_id"] for line in (result.result or []))
    answers.append({"ids": ids})
json.dump(answers, sys.stdout)
