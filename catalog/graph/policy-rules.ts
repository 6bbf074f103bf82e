/** Policies from tributary.yaml rules (by key glob) for assets that declare none themselves. */
import type { Diagnostic, PolicyRule } from "../model/index.ts";
import { matchesKeyGlob } from "../model/index.ts";
import type { LocatedSpec, MutableAsset } from "./merge.ts";

/**
 * Gives each asset without a policy of its own the first tributary.yaml rule whose glob matches its key or an
 * alias. An invalid rule is an error on every asset it matches (which then has no policy); a rule that
 * matches nothing, or only assets that declare their own policy, is a warning.
 */
export function applyPolicyRules(assets: readonly MutableAsset[], policyRules: readonly PolicyRule[], diagnostics: Diagnostic[]): void {
  const file = (rule: PolicyRule): string => rule.declaredIn.file ?? "tributary.yaml";
  const at = (rule: PolicyRule): string => `${file(rule)}${rule.declaredIn.line ? `:${rule.declaredIn.line}` : ""}`;
  const used = new Set<PolicyRule>();
  for (const asset of assets) {
    const ids = [asset.id, ...asset.aliasIds];
    const rule = policyRules.find((r) => ids.some((id) => matchesKeyGlob(id, r.assets)));
    if (!rule) continue;
    used.add(rule);
    const diagnostic = (severity: Diagnostic["severity"], code: string, message: string): void => {
      diagnostics.push({ severity, code, message, locationName: file(rule), assetKey: asset.key, nodeId: null, at: rule.declaredIn });
    };
    if (asset.policy !== null) {
      diagnostic("warning", "policy_rule_shadowed", `${at(rule)}: the policy for "${rule.assets}" does not apply to ${asset.id}, which declares its own policy`);
    } else if (rule.policy === null) {
      diagnostic("error", "invalid_policy", `${at(rule)}: the policy for "${rule.assets}" is invalid (${rule.errors.join("; ")}); ${asset.id} has no policy`);
    } else {
      asset.policy = rule.policy;
    }
  }
  for (const rule of policyRules) {
    if (used.has(rule)) continue;
    const invalid = rule.policy === null ? ` and is invalid (${rule.errors.join("; ")})` : "";
    diagnostics.push({
      severity: rule.policy === null ? "error" : "warning",
      code: rule.policy === null ? "invalid_policy" : "policy_rule_unmatched",
      message: `${at(rule)}: the policy for "${rule.assets}" matches no asset${invalid}`,
      locationName: file(rule),
      assetKey: null,
      nodeId: null,
      at: rule.declaredIn,
    });
  }
}


/**
 * Drops the policy of each asset whose tool runs it on a schedule of its own that its location respects
 * (`scheduledByTool`, e.g. a Census sync scheduled in Census): Tributary would otherwise add runs to the tool's
 * own (issue 19's "a Census sync's own schedule respected"). The tool's runs are still observed. A warning names
 * where the dropped policy was declared and how to let Tributary trigger the asset instead.
 */
export function yieldToToolSchedules(groups: readonly (readonly LocatedSpec[])[], assets: readonly MutableAsset[], diagnostics: Diagnostic[]): void {
  groups.forEach((group, index) => {
    const asset = assets[index]!;
    const scheduled = group.find((s) => s.spec.scheduledByTool)?.spec.scheduledByTool;
    if (!scheduled || asset.policy === null) return;
    const declared = asset.policy.declaredIn;
    const where = declared.file ? ` (declared in ${declared.file}${declared.line ? `:${declared.line}` : ""})` : "";
    diagnostics.push({
      severity: "warning",
      code: "policy_yields_to_tool_schedule",
      message: `${asset.id} runs on ${scheduled.tool}'s own schedule (${scheduled.schedule}), so its policy${where} does not apply: Tributary records the ${scheduled.tool} runs and adds none. ${scheduled.howToTrigger}`,
      locationName: group.find((s) => s.spec.scheduledByTool)!.locationName,
      assetKey: asset.key,
      nodeId: null,
      at: declared,
    });
    asset.policy = null;
  });
}
