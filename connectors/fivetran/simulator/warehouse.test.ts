import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { managedVenvDir, parsePins, REQUIREMENTS_PATH } from "../../dbt/runtime.ts";
import { DEMO_DATA_DIR } from "../test-support.ts";
import { countRows, landRows } from "./warehouse.ts";

const ROOT = join(import.meta.dirname, "..", "..", "..");
const orderTable = { schema: "shopify", table: "order", csvFile: join(DEMO_DATA_DIR, "shopify", "order.csv") };

function tempWarehouse(): { path: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "tributary-duckdb-"));
  return { path: join(dir, "warehouse.duckdb"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("the simulator's DuckDB landing", () => {
  it("lands the next rows of each CSV, typed like DuckDB's CSV reader, into a quoted reserved-word table", async () => {
    const warehouse = tempWarehouse();
    try {
      const syncedAt = new Date("2026-11-24T10:00:00.000Z");
      assert.deepEqual(await landRows({ warehousePath: warehouse.path, tables: [orderTable], maxRowsPerTable: 100, syncedAt }), { "shopify.order": 100 });
      assert.deepEqual(await landRows({ warehousePath: warehouse.path, tables: [orderTable], maxRowsPerTable: 100, syncedAt }), { "shopify.order": 30 });
      assert.deepEqual(await landRows({ warehousePath: warehouse.path, tables: [orderTable], maxRowsPerTable: 100, syncedAt }), { "shopify.order": 0 });
      assert.deepEqual(await countRows(warehouse.path, [orderTable]), { "shopify.order": 130 });
    } finally {
      warehouse.dispose();
    }
  });

  it("waits for another process's write lock instead of failing", async () => {
    const warehouse = tempWarehouse();
    try {
      await landRows({ warehousePath: warehouse.path, tables: [orderTable], maxRowsPerTable: 1, syncedAt: new Date() });
      // Another process (as dbt would) holds the file for a moment.
      const holder = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { DuckDBInstance } from "@duckdb/node-api";
           const db = await DuckDBInstance.create(${JSON.stringify(warehouse.path)});
           const c = await db.connect();
           await c.run("SELECT 1");
           console.log("locked");
           setTimeout(() => { c.closeSync(); db.closeSync(); }, 400);`,
        ],
        { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
      );
      const exited = new Promise((resolve) => holder.once("exit", resolve));
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("locked") && resolve());
        holder.on("exit", (code) => reject(new Error(`holder exited early with ${code}`)));
      });
      let waits = 0;
      const landed = await landRows({
        warehousePath: warehouse.path,
        tables: [orderTable],
        maxRowsPerTable: 5,
        syncedAt: new Date(),
        lockRetryDelayMs: 50,
        sleep: async (ms) => {
          waits++;
          await new Promise((resolve) => setTimeout(resolve, ms));
        },
      });
      assert.deepEqual(landed, { "shopify.order": 5 });
      assert.ok(waits > 0, "it had to wait for the lock");
      await exited;
    } finally {
      warehouse.dispose();
    }
  });

  it("pins the same DuckDB engine on the Node and the Python (dbt-duckdb) side", () => {
    const nodeVersion = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["@duckdb/node-api"]!;
    const pythonVersion = parsePins(readFileSync(REQUIREMENTS_PATH, "utf8"))["duckdb"];
    assert.equal(nodeVersion.replace(/-r\.\d+$/, ""), pythonVersion);
  });

  it("writes a file dbt's Python DuckDB opens", { skip: !existsSync(join(managedVenvDir(), "bin", "python")) && "no managed dbt virtualenv" }, async () => {
    const warehouse = tempWarehouse();
    try {
      await landRows({ warehousePath: warehouse.path, tables: [orderTable], maxRowsPerTable: 7, syncedAt: new Date() });
      const result = spawnSync(
        join(managedVenvDir(), "bin", "python"),
        ["-c", `import duckdb,sys; print(duckdb.connect(sys.argv[1], read_only=True).execute('select count(*) from warehouse.shopify."order"').fetchone()[0])`, warehouse.path],
        { encoding: "utf8" },
      );
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), "7");
    } finally {
      warehouse.dispose();
    }
  });
});
