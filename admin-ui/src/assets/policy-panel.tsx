/**
 * The asset's automation policy in words, its condition as a tree (`Policy.tree`), its latest stored evaluation
 * (`Asset.evaluations`) and what a tick now would decide (`Query.dryRun`, asked when the panel shows).
 */
import BoltIcon from "@mui/icons-material/Bolt";
import { Box, Chip, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { ErrorState, LoadingLines } from "../common/states.tsx";
import { useTributary } from "../common/use-tributary.ts";
import type { AssetDetail } from "../types.ts";
import { EvaluationView } from "./evaluation-view.tsx";
import { Panel } from "./panels.tsx";
import { conditionTree, describePolicy, isPolicyTree, policyTree, type ConditionNode } from "./policy-text.ts";

function ConditionTreeView({ node, depth = 0 }: { node: ConditionNode; depth?: number }) {
  return (
    <Box component="li" sx={{ listStyle: "none", pl: depth === 0 ? 0 : 2, borderLeft: depth === 0 ? 0 : "2px solid", borderColor: "divider", my: 0.25 }}>
      <Typography variant="body2" component="span" sx={{ fontWeight: node.children.length > 0 ? 600 : 400, fontFamily: node.children.length > 0 ? "inherit" : undefined }}>
        {node.label}
      </Typography>
      {node.children.length > 0 && (
        <Box component="ul" sx={{ m: 0, p: 0 }}>
          {node.children.map((child, i) => (
            <ConditionTreeView key={i} node={child} depth={depth + 1} />
          ))}
        </Box>
      )}
    </Box>
  );
}

function DryRun({ assetKey }: { assetKey: string }) {
  const dataProvider = useTributary();
  const dryRun = useQuery({ queryKey: ["dryRun", assetKey], queryFn: () => dataProvider.dryRun(assetKey) });
  if (dryRun.isError) return <ErrorState error={dryRun.error} title="Dry run failed" onRetry={() => void dryRun.refetch()} />;
  if (dryRun.data === undefined) return <LoadingLines lines={2} />;
  if (dryRun.data.length === 0) {
    return <Typography variant="body2" sx={{ color: "text.secondary" }}>Nothing to evaluate: without a policy, a tick never requests this asset.</Typography>;
  }
  return (
    <>
      {dryRun.data.map((evaluation) => (
        <EvaluationView key={evaluation.treeHash} evaluation={evaluation} testId="dry-run" />
      ))}
    </>
  );
}

export function PolicyPanel({ record }: { record: AssetDetail }) {
  const policy = record.policy;
  const latest = record.evaluations[0];
  return (
    <Panel title="Automation" id="policy" testId="policy-panel">
      {policy === null ? (
        <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="policy-none">
          No policy: Tributary materializes this asset only when someone launches it
          {record.materializedBy === null ? " — and nothing in the catalog can build it" : ""}.
        </Typography>
      ) : (
        <>
          <Chip icon={<BoltIcon />} color="primary" label={policy.label.length > 40 ? "automation condition" : policy.label} sx={{ mb: 1 }} />
          <Typography variant="body2" data-testid="policy-text" sx={{ mb: 1 }}>
            {describePolicy(policy)}
          </Typography>
          {(() => {
            const tree = isPolicyTree(policy.tree) ? policyTree(policy.tree) : policy.condition !== null && policy.condition !== undefined ? conditionTree(policy.condition) : null;
            return tree === null ? null : (
              <Box component="ul" sx={{ m: 0, p: 1.5, bgcolor: "#f9fafb", borderRadius: 1 }} aria-label="Condition" data-testid="policy-tree">
                <ConditionTreeView node={tree} />
              </Box>
            );
          })()}
          {policy.declaredIn?.file && (
            <Typography variant="caption" component="div" sx={{ color: "text.secondary", mt: 1 }}>
              Declared in <code>{policy.declaredIn.file}{policy.declaredIn.line ? `:${policy.declaredIn.line}` : ""}</code>
            </Typography>
          )}
        </>
      )}
      <Typography variant="subtitle2" sx={{ mt: 2, mb: 1 }}>
        Latest evaluation
      </Typography>
      {latest === undefined ? (
        <Typography variant="body2" sx={{ color: "text.secondary" }} data-testid="evaluation-none">
          Not evaluated yet: the scheduler records each tick's evaluation here once it runs.
        </Typography>
      ) : (
        <EvaluationView evaluation={latest} testId="latest-evaluation" />
      )}
      <Typography variant="subtitle2" sx={{ mt: 2, mb: 1 }}>
        What would happen now
      </Typography>
      <DryRun assetKey={record.key} />
    </Panel>
  );
}
