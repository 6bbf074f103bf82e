"""dagster-dbt's definitions load of one manifest, for bench/load-bench.ts's side-by-side figure.

Times, after the imports: @dbt_assets over the manifest file (dagster-dbt reads and parses it, and makes an
asset spec per model, seed, snapshot and source, and a check per test) and the Definitions' asset graph
resolved from it, as a code location does when it loads. Prints one JSON line: {"importMs", "loadMs"}.

Usage: <python with dagster-dbt> bench/dagster-load.py <manifest.json>
"""

import json
import sys
import time

started = time.perf_counter()
import dagster as dg  # noqa: E402
from dagster_dbt import dbt_assets  # noqa: E402

imported = time.perf_counter()
manifest_path = sys.argv[1]


@dbt_assets(manifest=manifest_path)
def bench_dbt_assets(context: dg.AssetExecutionContext):
    # Never run: only the definitions are loaded (a real one runs `dbt build` through DbtCliResource).
    raise NotImplementedError


defs = dg.Definitions(assets=[bench_dbt_assets])
graph = defs.resolve_asset_graph()
count = len(list(graph.get_all_asset_keys()))
loaded = time.perf_counter()
print(json.dumps({"importMs": round((imported - started) * 1000), "loadMs": round((loaded - imported) * 1000), "assets": count}))
