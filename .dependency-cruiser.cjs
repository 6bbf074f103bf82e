// The map of the code, as rules: which part may import which (docs/ARCHITECTURE.md says why). Checked by
// `npm run lint` (dependency-cruiser); scripts/boundaries.test.ts proves each rule fires on a bad import.
//
// Parts: catalog/{model,graph,store,service}, scheduler/{conditions,daemon,runs}, connectors/{shared,dbt,
// fivetran,census}, server (with server/graphql), support, admin-ui, bench, scripts.
/** Test files and test helpers may reach into what they test. */
const TESTS = "(\\.test\\.tsx?|/test-support\\.ts|/testing\\.ts|/test-specs\\.ts|/launcher-contract\\.ts)$";
const OURS = "^(catalog|scheduler|connectors|server|support|admin-ui|bench|scripts)/";

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "model-imports-nothing-of-ours",
      comment: "catalog/model is the contract every part builds on: it imports nothing of ours but itself.",
      severity: "error",
      from: { path: "^catalog/model/" },
      to: { path: OURS, pathNot: "^catalog/model/" },
    },
    {
      name: "support-imports-nothing-of-ours",
      comment: "support/ holds small tools with no domain (the directory lock, a string table): every part may use it, it uses none.",
      severity: "error",
      from: { path: "^support/" },
      to: { path: OURS, pathNot: "^support/" },
    },
    {
      name: "connectors-import-only-the-model-and-shared",
      comment: "A connector imports catalog/model and connectors/shared only: never the catalog's graph or store, the scheduler, the server, or another connector.",
      severity: "error",
      from: { path: "^connectors/([^/]+)/", pathNot: TESTS },
      to: { path: OURS, pathNot: ["^catalog/model/", "^connectors/shared/", "^connectors/$1/", "^support/"] },
    },
    {
      name: "core-never-imports-connectors-or-server",
      comment: "The catalog and the scheduler see connectors only through catalog/model's interfaces; server/connectors.ts wires them in.",
      severity: "error",
      from: { path: "^(catalog|scheduler)/" },
      to: { path: "^(connectors|server|admin-ui)/" },
    },
    {
      name: "graphql-uses-a-connector-through-its-entry",
      comment: "server/graphql reads a connector's typed tool state through the connector's index.ts, never its internals.",
      severity: "error",
      from: { path: "^server/graphql/", pathNot: TESTS },
      to: { path: "^connectors/", pathNot: "^connectors/[^/]+/index\\.ts$" },
    },
    {
      name: "admin-ui-is-self-contained",
      comment: "The web UI is built and shipped on its own: it imports nothing outside admin-ui (it talks to the server over HTTP).",
      severity: "error",
      from: { path: "^admin-ui/", pathNot: TESTS },
      to: { path: OURS, pathNot: "^admin-ui/" },
    },
    {
      name: "enter-a-part-through-its-index",
      comment: "Outside a part, only its index.ts is imported (tests excepted): a part's files are its own business.",
      severity: "error",
      from: { path: "^((?:catalog|scheduler|connectors)/[^/]+|server/graphql|server|support|bench|scripts)/", pathNot: TESTS },
      to: {
        path: "^((catalog|scheduler|connectors)/[^/]+|server/graphql|support)/",
        // Test helpers (test-support.ts, testing.ts, test-specs.ts) are for tests and benches anywhere.
        pathNot: ["^$1/", "^(catalog|scheduler|connectors)/[^/]+/index\\.ts$", "^server/graphql/index\\.ts$", "^support/index\\.ts$", "^connectors/[^/]+/simulator/index\\.ts$", "/(test-support|testing|test-specs)\\.ts$"],
      },
    },
    {
      name: "no-cycles-between-parts",
      comment: "Arrows between parts run one way.",
      severity: "error",
      from: { path: "^((?:catalog|scheduler|connectors)/[^/]+|server/graphql|support)/" },
      to: { circular: true, path: OURS, pathNot: "^$1/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|target|\\.venv|\\.tributary|bench/out|demo-project)(/|$)" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs"] },
  },
};
