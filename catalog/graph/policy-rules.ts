/** Policies from tributary.yaml rules (by key glob) for assets that declare none themselves. */
import type { Diagnostic, PolicyRule } from "../model/index.ts";
import { matchesKeyGlob } from "../model/index.ts";
import type { MutableAsset } from "./merge.ts";

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

