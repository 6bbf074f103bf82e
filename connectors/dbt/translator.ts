/**
 * Turns a dbt manifest into asset specs with dagster-dbt's rules (reference/dagster-semantics.md §0–§1):
 * keys, dependencies through ephemeral models, groups, owners, tags, kinds, code versions, columns,
 * tests as checks, and the policies declared in `meta.dagster`. Pure: no I/O.
 *
 * Deliberate differences from dagster-dbt, each because a catalog must show more than an orchestrator runs:
 * - tests on sources become checks of the source asset (dagster-dbt: `enable_source_tests_as_checks`);
 * - exposures become downstream assets that nothing materializes;
 * - an invalid policy is a diagnostic instead of being silently ignored.
 */
import type { z } from "zod";
import { manifestColumnLineage } from "./manifest-column-lineage.ts";
import { dbtNodeState, dbtTestState, toColumnLineageState } from "./tool-state.ts";
import type { columnLineageSchema } from "./tool-state.ts";
import { createHash } from "node:crypto";
import type { AssetDep, AssetKey, AssetScheduleSpec, AssetSpec, CheckSpec, ColumnSpec, Diagnostic, PartitionsDefinition, PolicySpec, SourceLocation } from "../../catalog/model/index.ts";
import { LoadError, cadenceOfBatchSize, defineLazyColumns, keyToString, parseAutoMaterializePolicy, parseAutomationCondition, parseBuildAfter, parseAssetSchedules, parsePartitionsSpec, wallTime } from "../../catalog/model/index.ts";
import type { DbtManifest, ManifestColumn, ManifestExposure, ManifestNode, ManifestSource } from "./manifest.ts";
import { asRecord, asString, asStrings, asVersion, heldColumns, isEnabled } from "./manifest.ts";

/** dbt resource types that become assets dbt builds. */
const BUILT_RESOURCE_TYPES = new Set(["model", "seed", "snapshot"]);

export interface TranslateOptions {
  /** The location's name, used in diagnostics and as the materializer's location. */
  readonly locationName: string;
  /** The project directory, when known; YAML paths in diagnostics are made relative to it. */
  readonly projectDir?: string | null;
  /**
   * "skip": no column lineage in the specs (the providers compute it after the load, on a worker thread:
   * ./column-lineage-follow-up.ts; so do callers that need only keys). Default "compute".
   */
  readonly columnLineage?: "compute" | "skip";
}

export interface TranslatedDbtProject {
  readonly specs: AssetSpec[];
  readonly diagnostics: Diagnostic[];
}

/** Translates a manifest. Throws {@link LoadError} for a dangling dependency or a duplicate asset key. */
export function translateManifest(manifest: DbtManifest, options: TranslateOptions): TranslatedDbtProject {
  return new ManifestTranslator(manifest, options).translate();
}

/** A node that can become an asset (a model, seed, snapshot, source or exposure). */
type AssetNode =
  | { readonly type: "node"; readonly node: ManifestNode }
  | { readonly type: "source"; readonly node: ManifestSource }
  | { readonly type: "exposure"; readonly node: ManifestExposure };

class ManifestTranslator {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly keyByUniqueId = new Map<string, AssetKey>();
  private readonly upstreamCache = new Map<string, readonly string[]>();
  private readonly adapter: string;
  private unitTestsByModel: Map<string, string[]> | null = null;
  private columnLineage: ReadonlyMap<string, z.input<typeof columnLineageSchema>> = new Map();

  constructor(
    private readonly manifest: DbtManifest,
    private readonly options: TranslateOptions,
  ) {
    this.adapter = manifest.adapterType ?? "dbt";
  }

  translate(): TranslatedDbtProject {
    for (const { key, jsonPath } of this.manifest.duplicateKeys) {
      this.diagnose(
        "warning",
        "duplicate_json_key",
        `${this.manifest.file}: the key ${JSON.stringify(key)} appears more than once in the object at ${jsonPath}; only its last value is read`,
        null,
        null,
        { file: this.manifest.file, line: null, path: jsonPath },
      );
    }
    const assetNodes = this.collectAssetNodes();
    this.assignKeys(assetNodes);
    this.columnLineage = this.translateColumnLineage();
    const checksByAsset = this.translateTests();
    const specs: AssetSpec[] = [];
    for (const [uniqueId, assetNode] of assetNodes) {
      specs.push(this.toSpec(uniqueId, assetNode, checksByAsset.get(uniqueId) ?? []));
    }
    return { specs, diagnostics: this.diagnostics };
  }

  private collectAssetNodes(): Map<string, AssetNode> {
    const result = new Map<string, AssetNode>();
    const { nodes, sources, exposures } = this.manifest;
    for (const id in nodes) {
      const node = nodes[id]!;
      if (isBuiltAsset(node)) result.set(id, { type: "node", node });
    }
    for (const id in sources) result.set(id, { type: "source", node: sources[id]! });
    for (const id in exposures) result.set(id, { type: "exposure", node: exposures[id]! });
    return result;
  }

  /** Computes every asset's key; two nodes with one key is a load error (dagster-dbt parity). */
  private assignKeys(assetNodes: Map<string, AssetNode>): void {
    const ownerByKey = new Map<string, string>();
    for (const [uniqueId, assetNode] of assetNodes) {
      const key = this.assetKeyFor(assetNode);
      const keyString = keyToString(key);
      const previous = ownerByKey.get(keyString);
      if (previous !== undefined) {
        throw new LoadError(
          "duplicate_asset_key",
          `${this.manifest.file}: ${previous} and ${uniqueId} both map to the asset key "${keyString}". ` +
            `Give one of them a distinct meta.dagster.asset_key, alias or schema.`,
          { file: this.manifest.file, locationName: this.options.locationName, nodeId: uniqueId, jsonPath: jsonPathFor(assetNode, uniqueId) },
        );
      }
      ownerByKey.set(keyString, uniqueId);
      this.keyByUniqueId.set(uniqueId, key);
    }
  }

  private assetKeyFor(assetNode: AssetNode): AssetKey {
    const node = assetNode.node;
    const override = dagsterMeta(effectiveMeta(node))["asset_key"];
    if (Array.isArray(override) && override.length > 0 && override.every((part) => typeof part === "string")) {
      return override as string[];
    }
    if (assetNode.type === "source") return [assetNode.node.source_name, assetNode.node.name];
    if (assetNode.type === "exposure") return ["exposures", assetNode.node.name];
    const model = assetNode.node;
    if (asVersion(model.version) !== null && model.version !== "") {
      return [asString(model.alias) ?? model.name];
    }
    const schema = asString(model.config?.schema);
    return schema ? [schema, model.name] : [model.name];
  }

  private toSpec(uniqueId: string, assetNode: AssetNode, checks: CheckSpec[]): AssetSpec {
    const key = this.keyByUniqueId.get(uniqueId)!;
    const node = assetNode.node;
    const topMeta = dagsterMeta(asRecord(node.meta));
    const definedIn = this.sourceLocation(assetNode);
    const policy = assetNode.type === "exposure" ? null : this.policyFor(uniqueId, key, assetNode, topMeta);
    const group = this.groupFor(assetNode, topMeta);
    const tags = this.tagsFor(uniqueId, key, node.tags, definedIn);
    const deps = assetNode.type === "source" ? [] : this.depsFor(uniqueId, assetNode.node.depends_on?.nodes ?? []);
    const owners = this.ownersFor(assetNode, topMeta);
    // Each literal spells out the shared fields: `{...shared, more}` makes V8 build the spec in a slow,
    // dictionary-like form, over 20 times slower to make (micro-benchmark) and slower to read.
    if (assetNode.type === "exposure") {
      const exposure = assetNode.node;
      return {
        key,
        group,
        owners,
        tags,
        deps,
        checks,
        policy,
        dbtUniqueId: uniqueId,
        definedIn,
        relation: null,
        kinds: ["dbt", "exposure", ...(nonEmpty(exposure.type) ? [asString(exposure.type)!] : [])],
        description: nonEmpty(exposure.description),
        columns: [],
        codeVersion: null,
        materializer: null,
        metadata: compact(dbtNodeState.write({
          resource_type: "exposure",
          exposure_type: asString(exposure.type),
          label: asString(exposure.label),
          url: asString(exposure.url),
          maturity: asString(exposure.maturity),
          owner: asRecord(exposure.owner) ? compact({ name: asString(asRecord(exposure.owner)!["name"]), email: emailsOrNull(asRecord(exposure.owner)!["email"]) }) : null,
          package: exposure.package_name,
          fqn: exposure.fqn ?? null,
          original_file_path: asString(exposure.original_file_path),
        })),
      };
    }
    if (assetNode.type === "source") {
      const source = assetNode.node;
      return {
        key,
        group,
        owners,
        tags,
        deps,
        checks,
        policy,
        dbtUniqueId: uniqueId,
        definedIn,
        relation: { database: nonEmpty(source.database), schema: source.schema, name: nonEmpty(source.identifier) ?? source.name },
        kinds: ["dbt", this.adapter, "source"],
        description: nonEmpty(source.description),
        columns: toColumns(source.columns),
        codeVersion: null,
        materializer: null,
        loadedExternally: true,
        metadata: compact(dbtNodeState.write({
          resource_type: "source",
          source_name: source.source_name,
          source_description: nonEmpty(source.source_description),
          loader: nonEmpty(source.loader),
          loaded_at_field: asString(source.loaded_at_field),
          package: source.package_name,
          relation_name: source.relation_name,
          fqn: source.fqn,
          original_file_path: asString(source.original_file_path),
        })),
      };
    }
    const model = assetNode.node;
    const rawCode = asString(model.raw_code) ?? asString(model.raw_sql);
    const codeVersion = rawCode
      ? createHash("sha1").update(rawCode).digest("hex")
      : asString(asRecord(model.checksum)?.["checksum"]);
    const held = heldColumns(model);
    const spec: AssetSpec = {
      key,
      group,
      owners,
      tags,
      deps,
      checks,
      policy,
      dbtUniqueId: uniqueId,
      definedIn,
      relation: nonEmpty(model.schema) ? { database: nonEmpty(model.database), schema: asString(model.schema)!, name: nonEmpty(model.alias) ?? model.name } : null,
      kinds: ["dbt", this.adapter],
      description: nonEmpty(model.description),
      columns: held === undefined ? toColumns(model.columns) : [],
      codeVersion,
      materializer: { tool: "dbt", locationName: this.options.locationName, runTargetId: uniqueId },
      partitions: this.partitionsFor(uniqueId, key, assetNode),
      ...this.schedulesFor(uniqueId, key, assetNode),
      metadata: compact(dbtNodeState.write({
        resource_type: model.resource_type,
        materialized: model.config?.materialized,
        package: model.package_name,
        fqn: model.fqn,
        original_file_path: asString(model.original_file_path),
        patch_path: this.projectPath(asString(model.patch_path)),
        relation_name: model.relation_name,
        access: asString(model.access),
        version: asVersion(model.version),
        latest_version: asVersion(model.latest_version),
        unit_tests: this.unitTestsFor(uniqueId),
        column_lineage: this.columnLineage.get(uniqueId),
      })),
    };
    // A large manifest's columns are still their text: made into specs when first read (catalog/model/lazy-columns.ts).
    if (held !== undefined) defineLazyColumns(spec, () => toColumns(JSON.parse(held.text()) as Record<string, ManifestColumn>));
    return spec;
  }

  /** Column lineage of the models with compiled SQL, upstream named by asset key (none without compiled SQL). */
  private translateColumnLineage(): Map<string, z.input<typeof columnLineageSchema>> {
    const result = new Map<string, z.input<typeof columnLineageSchema>>();
    if (this.options.columnLineage === "skip") return result;
    const hasSql = Object.values(this.manifest.nodes).some((n) => n.resource_type === "model" && (nonEmpty(n.compiled_code) ?? nonEmpty(n.compiled_sql)) !== null);
    if (!hasSql) return result;
    for (const [id, lineage] of manifestColumnLineage(this.manifest).models) result.set(id, toColumnLineageState(lineage, this.keyByUniqueId));
    return result;
  }

  /** Parents as dagster-dbt finds them: through ephemeral models and metrics to real tables. */
  private depsFor(uniqueId: string, parents: readonly string[]): AssetDep[] {
    const seen = new Set<string>();
    const deps: AssetDep[] = [];
    for (const parentId of this.resolveParents(uniqueId, parents, [uniqueId])) {
      if (seen.has(parentId)) continue;
      seen.add(parentId);
      deps.push({ kind: "key", key: this.keyByUniqueId.get(parentId)! });
    }
    return deps;
  }

  private resolveParents(childId: string, parents: readonly string[], path: string[]): string[] {
    const resolved: string[] = [];
    parents.forEach((parentId, index) => {
      if (parentId === childId) {
        // dbt refuses a model that refs itself; a manifest that says so anyway has a cycle of one node.
        throw new LoadError("dependency_cycle", `${this.manifest.file}: dependency cycle ${childId} → ${childId} (${childId} depends on itself)`, {
          file: this.manifest.file,
          locationName: this.options.locationName,
          nodeId: childId,
          jsonPath: `${collectionPath(childId, this.manifest)}.depends_on.nodes[${index}]`,
        });
      }
      if (this.keyByUniqueId.has(parentId)) {
        resolved.push(parentId);
        return;
      }
      const passThrough = this.passThroughParents(parentId);
      if (passThrough === undefined) {
        // A test, analysis, operation or user-defined function: not a dependency of data (dagster-dbt drops these).
        if (this.manifest.nodes[parentId] || this.manifest.functionIds.has(parentId)) return;
        throw new LoadError(
          "dangling_dependency",
          `${this.manifest.file}: ${childId} depends on ${parentId}, which is not in the manifest`,
          {
            file: this.manifest.file,
            locationName: this.options.locationName,
            nodeId: childId,
            jsonPath: `${collectionPath(childId, this.manifest)}.depends_on.nodes[${index}]`,
          },
        );
      }
      if (path.includes(parentId)) {
        throw new LoadError("dependency_cycle", `${this.manifest.file}: dependency cycle ${[...path, parentId].join(" → ")}`, {
          file: this.manifest.file,
          locationName: this.options.locationName,
          nodeId: parentId,
        });
      }
      const cached = this.upstreamCache.get(parentId);
      if (cached) {
        resolved.push(...cached);
        return;
      }
      const behind = this.resolveParents(parentId, passThrough, [...path, parentId]);
      this.upstreamCache.set(parentId, behind);
      resolved.push(...behind);
    });
    return resolved;
  }

  /** The parents of a node dependencies pass through (ephemeral model, metric…), or undefined if it is not one. */
  private passThroughParents(id: string): readonly string[] | undefined {
    const node = this.manifest.nodes[id];
    if (node && node.resource_type === "model" && node.config?.materialized === "ephemeral") {
      return node.depends_on?.nodes ?? [];
    }
    return this.manifest.passThrough[id]?.dependsOn;
  }

  private groupFor(assetNode: AssetNode, topMeta: Record<string, unknown>): string | null {
    const fromMeta = topMeta["group"];
    if (typeof fromMeta === "string" && fromMeta !== "") return fromMeta;
    if (assetNode.type === "exposure") return null;
    return nonEmpty(assetNode.node.config?.group) ?? nonEmpty(assetNode.type === "node" ? assetNode.node.group : null);
  }

  private ownersFor(assetNode: AssetNode, topMeta: Record<string, unknown>): string[] {
    const fromMeta = topMeta["owners"];
    if (Array.isArray(fromMeta) && fromMeta.length > 0) return fromMeta.filter((o): o is string => typeof o === "string");
    if (assetNode.type === "exposure") return asStrings(asRecord(assetNode.node.owner)?.["email"]);
    const groupName = assetNode.type === "node" ? nonEmpty(assetNode.node.group) : null;
    if (!groupName) return [];
    for (const group of Object.values(this.manifest.groups)) {
      if (group.name === groupName) return asStrings(asRecord(group.owner)?.["email"]);
    }
    return [];
  }

  /** dbt tags, keeping those Dagster accepts as tag keys and reporting the rest. */
  private tagsFor(uniqueId: string, key: AssetKey, tags: unknown, at: SourceLocation): string[] {
    const kept: string[] = [];
    for (const tag of Array.isArray(tags) ? tags : []) {
      if (typeof tag === "string" && /^[A-Za-z0-9_.-]{1,63}$/.test(tag)) kept.push(tag);
      else {
        this.diagnose("warning", "invalid_tag", `${uniqueId}: tag ${JSON.stringify(tag)} is not a valid tag key (letters, digits, _ . - only, at most 63) and is dropped`, uniqueId, key, at);
      }
    }
    return kept;
  }

  private policyFor(uniqueId: string, key: AssetKey, assetNode: AssetNode, topMeta: Record<string, unknown>): PolicySpec | null {
    const amp = topMeta["auto_materialize_policy"];
    const condition = topMeta["automation_condition"];
    // Current dagster-dbt ignores the pre-1.3.10 key (reference §0): so does Tributary, but it says so.
    const legacy = assetNode.type === "node" ? assetNode.node.config?.dagster_auto_materialize_policy : undefined;
    if (legacy !== undefined && amp === undefined) {
      this.diagnose(
        "warning",
        "legacy_policy_key",
        `${uniqueId}: config.dagster_auto_materialize_policy is no longer read (removed from dagster-dbt); move it to meta.dagster.auto_materialize_policy`,
        uniqueId,
        key,
        this.policyLocation(assetNode),
      );
    }
    const buildAfter = assetNode.type === "node" ? asRecord(asRecord(assetNode.node.config?.freshness)?.["build_after"]) : null;
    if (amp === undefined && condition === undefined) return buildAfter ? this.buildAfterPolicy(uniqueId, key, assetNode, buildAfter) : null;
    const declaredIn = this.policyLocation(assetNode);
    if (buildAfter) {
      this.diagnose(
        "warning",
        "policy_build_after_ignored",
        `${uniqueId}: has both a meta.dagster policy and dbt's freshness.build_after; the meta.dagster policy wins ` +
          `(it is the one written for an orchestrator that runs on policies, and the one Dagster would run), so build_after is not applied. ` +
          `To build this model by build_after, give it an empty meta.dagster (a model's meta.dagster replaces the project's).`,
        uniqueId,
        key,
        declaredIn,
      );
    }
    const where = declaredIn.file ? ` (${declaredIn.file})` : "";
    if (amp !== undefined && condition !== undefined) {
      this.diagnose(
        "error",
        "invalid_policy",
        `${uniqueId}${where} declares both meta.dagster.auto_materialize_policy and meta.dagster.automation_condition; keep one`,
        uniqueId,
        key,
        declaredIn,
      );
      return null;
    }
    const result =
      amp !== undefined
        ? parseAutoMaterializePolicy(amp, { ...declaredIn, path: `${declaredIn.path}.auto_materialize_policy` })
        : parseAutomationCondition(condition, { ...declaredIn, path: `${declaredIn.path}.automation_condition` });
    for (const error of result.errors) {
      this.diagnose("error", "invalid_policy", `${uniqueId}${where}: ${error}; the asset has no policy`, uniqueId, key, declaredIn);
    }
    for (const warning of result.warnings) {
      this.diagnose("warning", "policy_warning", `${uniqueId}${where}: ${warning}`, uniqueId, key, declaredIn);
    }
    return result.policy;
  }

  /**
   * The model's time partitions: `meta.tributary.partitions` (Tributary's key: dagster-dbt reads no partitions
   * from dbt YAML, its partitions_def is given in Python), or a microbatch model's own `event_time`,
   * `batch_size`, `begin` and `lookback` (then windows go to dbt as `--event-time-start/--event-time-end`).
   * A bad declaration is an invalid_partitions error naming the node and field; the model is then unpartitioned.
   */
  private partitionsFor(uniqueId: string, key: AssetKey, assetNode: AssetNode): PartitionsDefinition | null {
    if (assetNode.type !== "node") return null;
    const node = assetNode.node;
    const config = node.config;
    const declared = asRecord(effectiveMeta(node)?.["tributary"])?.["partitions"];
    const file = this.projectPath(asString(node.patch_path) ?? asString(node.original_file_path)) ?? "dbt_project.yml";
    const nodePath = collectionPath(uniqueId, this.manifest);
    const microbatch = config?.incremental_strategy === "microbatch";
    if (microbatch) {
      const declaredIn: SourceLocation = { file: this.projectPath(asString(node.original_file_path)) ?? file, line: null, path: `${nodePath}.config` };
      if (declared !== undefined) {
        this.diagnose("warning", "partitions_ignored", `${uniqueId}: is a dbt microbatch model, whose partitions come from its event_time, batch_size and begin; meta.tributary.partitions is ignored`, uniqueId, key, { ...declaredIn, path: `${nodePath}.meta.tributary.partitions` });
      }
      const problems: { field: string; message: string }[] = [];
      const eventTime = asString(config.event_time);
      if (!eventTime) problems.push({ field: "event_time", message: "must name the model's event-time column" });
      const cadence = typeof config.batch_size === "string" ? cadenceOfBatchSize(config.batch_size) : null;
      if (cadence === null) problems.push({ field: "batch_size", message: `must be hour, day, month or year, got ${JSON.stringify(config.batch_size ?? null)}` });
      const begin = wallTime(config.begin, "UTC");
      if (begin === null) problems.push({ field: "begin", message: `must be a date or date-time such as "2024-01-01", got ${JSON.stringify(config.begin ?? null)}` });
      const lookback = config.lookback === undefined || config.lookback === null ? 1 : config.lookback;
      if (typeof lookback !== "number" || !Number.isInteger(lookback) || lookback < 0) problems.push({ field: "lookback", message: `must be a whole number of batches, got ${JSON.stringify(lookback)}` });
      for (const problem of problems) {
        this.diagnose("error", "invalid_partitions", `${uniqueId} (${declaredIn.file}): microbatch config.${problem.field} ${problem.message}; the asset is not partitioned`, uniqueId, key, { ...declaredIn, path: `${nodePath}.config.${problem.field}` });
      }
      if (problems.length > 0) return null;
      // dbt's batches are UTC calendar windows of batch_size from begin; the latest is the one in progress
      // (dbt builds up to now), which is Dagster's end_offset 1.
      return {
        kind: "time",
        cadence: cadence!,
        start: begin!,
        end: null,
        timezone: "UTC",
        endOffset: 1,
        minuteOffset: 0,
        hourOffset: 0,
        dayOffset: cadence === "monthly" ? 1 : 0,
        windowArgs: { kind: "event_time" },
        source: "dbt_microbatch",
        microbatch: { eventTime: eventTime!, lookback: lookback as number },
        declaredIn,
      };
    }
    if (declared === undefined) return null;
    const declaredIn: SourceLocation = { file, line: null, path: `${nodePath}.meta.tributary.partitions` };
    const parsed = parsePartitionsSpec(declared, declaredIn);
    for (const error of parsed.errors) {
      const field = error.field === "partitions" ? "meta.tributary.partitions" : `meta.tributary.partitions.${error.field}`;
      this.diagnose("error", "invalid_partitions", `${uniqueId} (${file}): ${field} ${error.message}; the asset is not partitioned`, uniqueId, key, {
        ...declaredIn,
        path: error.field === "partitions" ? declaredIn.path! : `${declaredIn.path}.${error.field}`,
      });
    }
    return parsed.definition;
  }

  /**
   * Schedules beside the model: `meta.tributary.schedule` (Tributary's key, like partitions: dagster-dbt builds
   * schedules in Python). A bad declaration is an invalid_schedule error naming the node, the field and the
   * file; that schedule is then left out. Returned as a spread, so a model without one keeps its spec's shape.
   */
  private schedulesFor(uniqueId: string, key: AssetKey, assetNode: AssetNode): { schedules?: readonly AssetScheduleSpec[] } {
    if (assetNode.type !== "node") return {};
    const node = assetNode.node;
    const declared = asRecord(effectiveMeta(node)?.["tributary"])?.["schedule"];
    if (declared === undefined || declared === null) return {};
    const file = this.projectPath(asString(node.patch_path) ?? asString(node.original_file_path)) ?? "dbt_project.yml";
    const declaredIn: SourceLocation = { file, line: null, path: `${collectionPath(uniqueId, this.manifest)}.meta.tributary.schedule` };
    const parsed = parseAssetSchedules(declared, asString(node.name) ?? key.at(-1) ?? uniqueId, declaredIn);
    for (const error of parsed.errors) {
      this.diagnose("error", "invalid_schedule", `${uniqueId} (${file}): meta.tributary.schedule${error.field.startsWith("[") || error.field === "" ? "" : "."}${error.field} ${error.message}; the schedule is left out`, uniqueId, key, declaredIn);
    }
    return parsed.schedules.length > 0 ? { schedules: parsed.schedules } : {};
  }

  /**
   * dbt's `config.freshness.build_after` as a policy (Tributary's own reading; dagster-dbt ignores it): the
   * condition `{build_after: {count, period, updates_on}}`, evaluated with dbt's meaning
   * (scheduler/conditions/named.ts). dbt validates it when it parses; what it lets through wrongly is an
   * invalid_policy error, and the model then has no policy.
   */
  private buildAfterPolicy(uniqueId: string, key: AssetKey, assetNode: AssetNode, buildAfter: Record<string, unknown>): PolicySpec | null {
    const node = assetNode.node;
    const file = this.projectPath(assetNode.type === "node" ? (asString(assetNode.node.patch_path) ?? asString(node.original_file_path)) : null) ?? "dbt_project.yml";
    const declaredIn: SourceLocation = { file, line: null, path: `${collectionPath(node.unique_id, this.manifest)}.config.freshness.build_after` };
    // dbt writes updates_on: null when it is not given; dbt's default is any.
    const declared = Object.fromEntries(Object.entries(buildAfter).filter(([, value]) => value !== null));
    const errors: string[] = [];
    const parsed = parseBuildAfter(declared, "freshness.build_after", errors);
    if (parsed === null) {
      for (const error of errors) this.diagnose("error", "invalid_policy", `${uniqueId} (${file}): ${error}; the asset has no policy`, uniqueId, key, declaredIn);
      return null;
    }
    const condition = { build_after: { count: parsed.count, period: parsed.period, updates_on: parsed.updatesOn } };
    return { source: "automation_condition", condition, tree: { op: "build_after", ...parsed }, declaredIn };
  }

  /**
   * Tests become checks. Attachment follows dagster-dbt (§0): `attached_node`, replaced by the single
   * `depends_on` node when there is exactly one, overridden by `meta.dagster.ref`.
   */
  private translateTests(): Map<string, CheckSpec[]> {
    const byAsset = new Map<string, Map<string, CheckSpec>>();
    const nodes = this.manifest.nodes;
    for (const testId in nodes) {
      const test = nodes[testId]!;
      if (test.resource_type !== "test" || !isEnabled(test.config)) continue;
      const attachedId = this.attachedNodeFor(testId, test);
      if (attachedId === null) continue;
      const assetKey = this.keyByUniqueId.get(attachedId);
      if (!assetKey) continue;
      const additionalDeps: AssetKey[] = [];
      for (const parentId of this.manifest.parentMap[testId] ?? []) {
        const parentKey = this.keyByUniqueId.get(parentId);
        // Keys are unique per node (assignKeys), so another id is another key.
        if (parentKey && parentId !== attachedId) additionalDeps.push(parentKey);
      }
      const severity = (nonEmpty(test.config?.severity) ?? "error").toLowerCase();
      const testMetadata = asRecord(test.test_metadata);
      const check: CheckSpec = {
        name: test.name,
        assetKey,
        description: nonEmpty(asRecord(test.meta)?.["description"]) ?? nonEmpty(test.description),
        blocking: severity === "error",
        additionalDeps,
        columnName: asString(test.column_name),
        sourceId: testId,
        metadata: compact(dbtTestState.write({
          test_type: testMetadata ? "generic" : "singular",
          test_name: asString(testMetadata?.["name"]),
          severity: severity,
          original_file_path: test.original_file_path,
        })),
      };
      let checks = byAsset.get(attachedId);
      if (!checks) byAsset.set(attachedId, (checks = new Map()));
      checks.set(check.name, check); // same name on one asset: the last one wins (dagster-dbt parity)
    }
    return new Map([...byAsset].map(([id, checks]) => [id, [...checks.values()]]));
  }

  private attachedNodeFor(testId: string, test: ManifestNode): string | null {
    let attached = asString(test.attached_node);
    // dagster-dbt takes `set(depends_on.nodes)`: a test naming one parent twice (dbt-expectations does) has one parent.
    const dependsOn = new Set(test.depends_on?.nodes ?? []);
    if (dependsOn.size === 1) attached = dependsOn.values().next().value!;
    const ref = dagsterMeta(effectiveMeta(test))["ref"];
    if (ref !== undefined) {
      const at: SourceLocation = { file: this.projectPath(asString(test.original_file_path)), line: null, path: `$.nodes[${JSON.stringify(testId)}].meta.dagster.ref` };
      if (typeof ref !== "object" || ref === null || typeof (ref as Record<string, unknown>)["name"] !== "string") {
        this.diagnose("warning", "invalid_test_ref", `${testId}: meta.dagster.ref must be {name, package?, version?}; the test is not a check`, testId, null, at);
        return null;
      }
      const { name, package: pkg, version } = ref as { name: string; package?: string; version?: string | number };
      const packageName = pkg ?? this.manifest.projectName;
      for (const [id, node] of Object.entries(this.manifest.nodes)) {
        const nodeVersion = asVersion(node.version);
        if (
          node.name === name &&
          node.package_name === packageName &&
          (version === undefined || version === null ? nodeVersion === null : String(nodeVersion) === String(version))
        ) {
          return id;
        }
      }
      this.diagnose("warning", "unresolved_test_ref", `${testId}: meta.dagster.ref ${JSON.stringify(ref)} matches no node; the test is not a check`, testId, null, at);
      return null;
    }
    return attached;
  }

  private unitTestsFor(modelId: string): string[] | null {
    const model = this.manifest.nodes[modelId];
    if (!model) return null;
    if (!this.unitTestsByModel) {
      this.unitTestsByModel = new Map();
      for (const test of Object.values(this.manifest.unitTests)) {
        const testedModel = asString(test.model);
        if (!testedModel) continue;
        const names = this.unitTestsByModel.get(testedModel) ?? [];
        names.push(test.name);
        this.unitTestsByModel.set(testedModel, names);
      }
    }
    return this.unitTestsByModel.get(model.name) ?? null;
  }

  private sourceLocation(assetNode: AssetNode): SourceLocation {
    const node = assetNode.node;
    const patch = assetNode.type === "node" ? asString(assetNode.node.patch_path) : null;
    return { file: this.projectPath(patch ?? asString(node.original_file_path)), line: null, path: null };
  }

  /** Where a node's `meta.dagster` comes from: its YAML patch, else its own file (config()), else dbt_project.yml. */
  private policyLocation(assetNode: AssetNode): SourceLocation {
    const node = assetNode.node;
    const patch = assetNode.type === "node" ? asString(assetNode.node.patch_path) : null;
    const file = this.projectPath(patch ?? asString(node.original_file_path)) ?? "dbt_project.yml";
    return { file, line: null, path: `${collectionPath(node.unique_id, this.manifest)}.meta.dagster` };
  }

  /** `shop://models/marts/schema.yml` → `models/marts/schema.yml`. */
  private projectPath(path: string | null | undefined): string | null {
    if (!path) return null;
    return path.replace(/^[\w-]+:\/\//, "");
  }

  private diagnose(
    severity: Diagnostic["severity"],
    code: string,
    message: string,
    nodeId: string | null,
    assetKey: AssetKey | null,
    at: SourceLocation | null,
  ): void {
    this.diagnostics.push({ severity, code, message, locationName: this.options.locationName, assetKey, nodeId, at });
  }
}

function isBuiltAsset(node: ManifestNode): boolean {
  if (!BUILT_RESOURCE_TYPES.has(node.resource_type)) return false;
  if (!isEnabled(node.config)) return false;
  return !(node.resource_type === "model" && node.config?.materialized === "ephemeral");
}

const NO_DAGSTER_META: Readonly<Record<string, unknown>> = Object.freeze({});

function dagsterMeta(meta: Record<string, unknown> | null | undefined): Readonly<Record<string, unknown>> {
  const value = meta?.["dagster"];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : NO_DAGSTER_META;
}

/** `Object.keys(record).length > 0` without the array. */
function hasKeys(record: Record<string, unknown>): boolean {
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

/** `config.meta` when it has keys, else the node's `meta` (dagster-dbt's order). */
function effectiveMeta(node: { readonly meta?: unknown; readonly config?: { readonly meta?: unknown } | null }): Record<string, unknown> | null {
  const configMeta = asRecord(node.config?.meta);
  return configMeta && hasKeys(configMeta) ? configMeta : asRecord(node.meta);
}

function toColumns(columns: Record<string, ManifestColumn> | null | undefined): ColumnSpec[] {
  const result: ColumnSpec[] = [];
  for (const name in columns) {
    const column = columns[name]!;
    result.push({
      name: nonEmpty(column.name) ?? name,
      type: nonEmpty(column.data_type),
      description: nonEmpty(column.description),
      tags: asStrings(column.tags),
    });
  }
  return result;
}

/** An owner's email(s) for metadata: a string, a list of strings, or null. */
function emailsOrNull(value: unknown): string | string[] | null {
  if (typeof value === "string") return value;
  const list = asStrings(value);
  return Array.isArray(value) && list.length > 0 ? list : null;
}

/** The value when it is a string with more than blanks, else null. */
function nonEmpty(value: unknown): string | null {
  return typeof value !== "string" || value.trim() === "" ? null : value;
}

/** Drops null/undefined entries so metadata stays small and serializable. */
function compact(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) {
    const value = record[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}

function collectionPath(uniqueId: string, manifest: DbtManifest): string {
  const collection = uniqueId in manifest.sources ? "sources" : uniqueId in manifest.exposures ? "exposures" : "nodes";
  return `$.${collection}[${JSON.stringify(uniqueId)}]`;
}

function jsonPathFor(assetNode: AssetNode, uniqueId: string): string {
  const collection = assetNode.type === "source" ? "sources" : assetNode.type === "exposure" ? "exposures" : "nodes";
  return `$.${collection}[${JSON.stringify(uniqueId)}]`;
}

