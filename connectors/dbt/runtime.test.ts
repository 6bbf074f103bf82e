import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  DbtRuntimeError,
  REQUIREMENTS_PATH,
  ensureManagedDbt,
  managedVenvDir,
  parseDbtVersionOutput,
  parsePins,
  probeDbtVersion,
  resolveDbtRuntime,
} from "./runtime.ts";

const pins = parsePins(await readFile(REQUIREMENTS_PATH, "utf8"));
const posix = process.platform !== "win32";

describe("requirements.txt", () => {
  test("pins dbt-core 1.11, dbt-duckdb and duckdb 1.5.5 exactly", () => {
    assert.match(pins["dbt-core"] ?? "", /^1\.11\.\d+$/);
    assert.match(pins["dbt-duckdb"] ?? "", /^1\.11\.\d+$/);
    // Must match the engine of @duckdb/node-api 1.5.5-r.5 on the Node side.
    assert.equal(pins["duckdb"], "1.5.5");
  });
});

describe("the managed dbt virtualenv (real install)", () => {
  test("resolves with preferManaged, and dbt --version reports the pinned versions", async () => {
    const runtime = await resolveDbtRuntime({ preferManaged: true });
    assert.equal(runtime.source, "managed-venv");
    assert.equal(runtime.executable, join(managedVenvDir(), process.platform === "win32" ? "Scripts/dbt.exe" : "bin/dbt"));
    assert.equal(runtime.version, pins["dbt-core"]);

    const probe = await probeDbtVersion(runtime.executable);
    assert.ok(probe, "dbt --version runs");
    assert.equal(probe.core, pins["dbt-core"]);
    assert.equal(probe.plugins["duckdb"], pins["dbt-duckdb"]);

    const python = join(managedVenvDir(), process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
    const duckdb = spawnSync(python, ["-c", "import duckdb; print(duckdb.__version__)"], { encoding: "utf8" });
    assert.equal(duckdb.stdout.trim(), pins["duckdb"]);
  });

  test("a configured executable wins over everything, and a broken one is an error", async () => {
    const managed = await ensureManagedDbt();
    const configured = await resolveDbtRuntime({ configuredExecutable: managed.executable, preferManaged: true });
    assert.deepEqual(configured, { executable: managed.executable, version: managed.version, source: "configured" });

    const fromEnv = await resolveDbtRuntime({ env: { ...process.env, TRIBUTARY_DBT_EXECUTABLE: managed.executable } });
    assert.equal(fromEnv.source, "configured");

    await assert.rejects(
      resolveDbtRuntime({ configuredExecutable: "/nonexistent/bin/dbt" }),
      (error: unknown) => error instanceof DbtRuntimeError && error.code === "dbt_not_runnable" && /\/nonexistent\/bin\/dbt/.test(error.message),
    );
  });
});

describe("finding Python", () => {
  test("no python on PATH gives python_missing with an actionable message, and creates nothing", async () => {
    const root = await mkdtemp(join(tmpdir(), "tributary-nopython-"));
    const emptyBin = join(root, "bin");
    await mkdir(emptyBin);
    try {
      await assert.rejects(
        resolveDbtRuntime({ preferManaged: true, repoRoot: root, env: { PATH: emptyBin } }),
        (error: unknown) => {
          assert.ok(error instanceof DbtRuntimeError);
          assert.equal(error.code, "python_missing");
          assert.match(error.message, /^Python 3\.10\+ is needed to run dbt \(looked for python3, python on PATH\)/);
          assert.match(error.message, /TRIBUTARY_DBT_EXECUTABLE \/ dbt\.executable in tributary\.yaml/);
          return true;
        },
      );
      assert.equal(existsSync(join(root, ".venv")), false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

/**
 * A fake python3 that records what it is asked to do: `-m venv` makes a virtualenv whose python is this same
 * script, and `-m pip install` puts a fake `dbt` beside it. Lets the install logic (stamp, lock, redo, pip
 * failure) be tested in milliseconds.
 */
const FAKE_PYTHON = `#!/bin/sh
echo "$*" >> "$FAKE_LOG"
if [ "$1" = "-c" ]; then echo "3.12.4"; echo "$0"; exit 0; fi
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python" && exit 0
fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  sleep "\${FAKE_PIP_SECONDS:-0}"
  if [ -n "$FAKE_PIP_FAIL" ]; then
    echo "Looking in indexes: https://pypi.org/simple" >&2
    echo "ERROR: No matching distribution found for dbt-core==9.9.9" >&2
    exit 1
  fi
  echo "Collecting dbt-core"
  echo "Installing collected packages: dbt-core, dbt-duckdb, duckdb"
  printf '#!/bin/sh\\nprintf "Core:\\\\n  - installed: 1.11.16\\\\n\\\\nPlugins:\\\\n  - duckdb: 1.11.1\\\\n"\\n' > "$(dirname "$0")/dbt"
  chmod +x "$(dirname "$0")/dbt"
  exit 0
fi
exit 3
`;

describe("installing the managed virtualenv (fake Python)", { skip: !posix && "needs a POSIX shell" }, () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let log: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "tributary-fakepython-"));
    const bin = join(root, "fake-bin");
    await mkdir(bin);
    await writeFile(join(bin, "python3"), FAKE_PYTHON);
    await chmod(join(bin, "python3"), 0o755);
    log = join(root, "calls.log");
    env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_LOG: log };
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const calls = async (what: string) => (await readFile(log, "utf8").catch(() => "")).split("\n").filter((line) => line.includes(what)).length;

  test("creates the virtualenv once, even when asked twice at the same time", async () => {
    const repoRoot = join(root, "concurrent");
    await mkdir(repoRoot);
    const progress: string[] = [];
    const slowEnv = { ...env, FAKE_PIP_SECONDS: "1" };
    const [first, second] = await Promise.all([
      ensureManagedDbt({ repoRoot, env: slowEnv, onProgress: (message) => progress.push(message) }),
      ensureManagedDbt({ repoRoot, env: slowEnv, onProgress: (message) => progress.push(message) }),
    ]);
    assert.deepEqual(first, second);
    assert.equal(first.source, "managed-venv");
    assert.equal(first.version, "1.11.16");
    assert.equal(first.executable, join(repoRoot, ".venv", "dbt", "bin", "dbt"));
    assert.equal(await calls(`-m venv ${join(repoRoot, ".venv", "dbt")}`), 1);
    assert.ok(progress.some((message) => message.startsWith("creating dbt virtualenv")), progress.join("\n"));
    assert.ok(progress.some((message) => message.startsWith(`installing dbt-core ${pins["dbt-core"]}, dbt-duckdb ${pins["dbt-duckdb"]}`)));
    assert.ok(progress.some((message) => message.startsWith("waiting for process")), "the second caller waited for the lock");
    assert.equal(existsSync(join(repoRoot, ".venv", "dbt.lock")), false, "the lock is released");

    // Once installed, nothing runs again.
    await ensureManagedDbt({ repoRoot, env });
    assert.equal(await calls(`-m venv ${join(repoRoot, ".venv", "dbt")}`), 1);
  });

  test("two processes setting up at once (parallel test files on a fresh clone) create it once", async () => {
    const repoRoot = join(root, "two-processes");
    await mkdir(repoRoot);
    const script = join(root, "ensure.mts");
    await writeFile(
      script,
      `import { ensureManagedDbt } from ${JSON.stringify(new URL("./runtime.ts", import.meta.url).href)};\n` +
        `const runtime = await ensureManagedDbt({ repoRoot: process.argv[2], env: process.env });\n` +
        `process.stdout.write(JSON.stringify(runtime));\n`,
    );
    const run = () =>
      new Promise<string>((resolvePromise, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, repoRoot], {
          cwd: fileURLToPath(new URL("../..", import.meta.url)), // where tsx resolves from
          env: { ...env, FAKE_PIP_SECONDS: "2" },
        });
        let out = "";
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`exit ${code}: ${err}`))));
      });
    const [first, second] = await Promise.all([run(), run()]);
    assert.deepEqual(JSON.parse(first), JSON.parse(second));
    assert.equal(await calls(`-m venv ${join(repoRoot, ".venv", "dbt")}`), 1);
    assert.equal(await calls("-m pip install"), await calls("-m venv"), "pip ran once per virtualenv");
  });

  test("an install killed midway (no stamp) or built from other pins is done again", async () => {
    const repoRoot = join(root, "redo");
    await mkdir(repoRoot);
    const venv = join(repoRoot, ".venv", "dbt");
    await ensureManagedDbt({ repoRoot, env });
    assert.equal(await calls(`-m venv ${venv}`), 1);

    // Killed after pip installed dbt but before the stamp was written.
    await rm(join(venv, "tributary-install.json"));
    await writeFile(join(venv, "leftover-from-killed-install"), "");
    await ensureManagedDbt({ repoRoot, env });
    assert.equal(await calls(`-m venv ${venv}`), 2);
    assert.equal(existsSync(join(venv, "leftover-from-killed-install")), false, "rebuilt from scratch");

    // A stamp written for other pins.
    const stampPath = join(venv, "tributary-install.json");
    const stamp = JSON.parse(await readFile(stampPath, "utf8")) as Record<string, unknown>;
    await writeFile(stampPath, JSON.stringify({ ...stamp, requirementsHash: "0".repeat(64) }));
    await ensureManagedDbt({ repoRoot, env });
    assert.equal(await calls(`-m venv ${venv}`), 3);
  });

  test("a lock left by a dead process is taken over", async () => {
    const repoRoot = join(root, "stale");
    await mkdir(join(repoRoot, ".venv"), { recursive: true });
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const { hostname } = await import("node:os");
    await writeFile(
      join(repoRoot, ".venv", "dbt.lock"),
      JSON.stringify({ pid: Number(dead.stdout), hostname: hostname(), token: "old", acquiredAt: new Date().toISOString() }),
    );
    const runtime = await ensureManagedDbt({ repoRoot, env });
    assert.equal(runtime.source, "managed-venv");
    assert.equal(existsSync(join(repoRoot, ".venv", "dbt.lock")), false);
  });

  test("a pip failure gives pip_failed with the end of pip's stderr", async () => {
    const repoRoot = join(root, "pipfail");
    await mkdir(repoRoot);
    await assert.rejects(ensureManagedDbt({ repoRoot, env: { ...env, FAKE_PIP_FAIL: "1" } }), (error: unknown) => {
      assert.ok(error instanceof DbtRuntimeError);
      assert.equal(error.code, "pip_failed");
      assert.match(error.message, /No matching distribution found for dbt-core==9\.9\.9/);
      assert.match(error.message, /TRIBUTARY_DBT_EXECUTABLE/);
      return true;
    });
    assert.equal(existsSync(join(repoRoot, ".venv", "dbt", "tributary-install.json")), false, "no stamp after a failure");
    // The next attempt (network back) succeeds.
    assert.equal((await ensureManagedDbt({ repoRoot, env })).version, "1.11.16");
  });

  test("a Python older than 3.10 is not used", async () => {
    const bin = join(root, "old-python-bin");
    await mkdir(bin);
    await writeFile(join(bin, "python3"), `#!/bin/sh\necho "3.8.10"; echo "$0"\n`);
    await chmod(join(bin, "python3"), 0o755);
    const repoRoot = join(root, "oldpython");
    await mkdir(repoRoot);
    await assert.rejects(ensureManagedDbt({ repoRoot, env: { PATH: bin } }), (error: unknown) => {
      assert.ok(error instanceof DbtRuntimeError);
      assert.equal(error.code, "python_missing");
      assert.match(error.message, /found only older ones: .*python3 is Python 3\.8\.10/);
      return true;
    });
  });
});

describe("parseDbtVersionOutput", () => {
  test("reads dbt ≥1.5 and 1.0–1.4 output, and rejects dbt Fusion", () => {
    const modern = "Core:\n  - installed: 1.11.16\n  - latest:    1.12.6  - Update available!\n\nPlugins:\n  - duckdb: 1.11.1 - Up to date!\n  - postgres: 1.9.0 - Up to date!\n";
    assert.deepEqual(parseDbtVersionOutput(modern), { core: "1.11.16", plugins: { duckdb: "1.11.1", postgres: "1.9.0" } });
    assert.deepEqual(parseDbtVersionOutput("installed version: 1.4.9\n   latest version: 1.4.9\n\nPlugins:\n  - snowflake: 1.4.5\n"), {
      core: "1.4.9",
      plugins: { snowflake: "1.4.5" },
    });
    assert.equal(parseDbtVersionOutput("dbt-fusion 2.0.0-preview.45\n"), null);
  });
});
