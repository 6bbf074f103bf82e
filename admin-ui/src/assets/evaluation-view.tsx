/**
 * An evaluation of an asset's condition at one tick (`Evaluation`): whether it requested a run, and the condition
 * tree with each node's value and reason. The tree comes flat, root first, children by id. For a partitioned
 * asset, each node says for how many partitions it was true and which, and the header which partitions the tick
 * requested (one run each).
 */
import CancelIcon from "@mui/icons-material/Cancel";
import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import { Box, Chip, Typography } from "@mui/material";
import { exactTime } from "../common/time.ts";
import type { Evaluation, EvaluationNode } from "../types.ts";

function NodeLine({ node }: { node: EvaluationNode }) {
  return (
    <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 0.75, flexWrap: "wrap" }}>
      {node.value ? <CheckCircleIcon sx={{ fontSize: 16 }} color="success" aria-label="true" /> : <CancelIcon sx={{ fontSize: 16, color: "grey.400" }} aria-label="false" />}
      <Typography variant="body2" component="span" sx={{ fontWeight: node.children.length > 0 ? 600 : 400 }}>
        {node.label}
      </Typography>
      {node.partitions && (
        <Typography variant="caption" component="span" sx={{ color: node.value ? "success.dark" : "text.secondary" }} data-testid="node-partitions">
          {node.partitions.count} of {node.partitions.of} partitions{node.partitions.count > 0 ? `: ${node.partitions.keys}` : ""}
        </Typography>
      )}
      {node.reason && (
        <Typography variant="caption" component="span" sx={{ color: "text.secondary" }}>
          — {node.reason}
        </Typography>
      )}
    </Box>
  );
}

/** One node; below the second level, branches start folded so big trees stay readable. */
function NodeView({ id, nodes, depth }: { id: string; nodes: ReadonlyMap<string, EvaluationNode>; depth: number }) {
  const node = nodes.get(id);
  if (node === undefined || depth > 30) return null;
  const children = (
    <Box component="ul" sx={{ m: 0, p: 0 }}>
      {node.children.map((child) => (
        <NodeView key={child} id={child} nodes={nodes} depth={depth + 1} />
      ))}
    </Box>
  );
  return (
    <Box component="li" sx={{ listStyle: "none", pl: depth === 0 ? 0 : 2, borderLeft: depth === 0 ? 0 : "2px solid", borderColor: "divider", my: 0.25 }}>
      {node.children.length === 0 ? (
        <NodeLine node={node} />
      ) : depth < 2 ? (
        <>
          <NodeLine node={node} />
          {children}
        </>
      ) : (
        <Box component="details" sx={{ "& > summary": { cursor: "pointer" } }}>
          <summary>
            <NodeLine node={node} />
          </summary>
          {children}
        </Box>
      )}
    </Box>
  );
}

function requestLabel(evaluation: Evaluation): string {
  if (!evaluation.requested) return "no run requested";
  const keys = evaluation.requestedPartitions;
  // A stored evaluation keeps the requested partitions as its root's (a dry run lists every key).
  const root = evaluation.tree[0]?.partitions;
  if (keys == null) return root ? `requests ${root.count} partition${root.count === 1 ? "" : "s"}: ${root.keys}` : "requests a run";
  const shown = keys.length <= 3 ? keys.join(", ") : `${keys.slice(0, 3).join(", ")} and ${keys.length - 3} more`;
  return `requests ${keys.length} partition${keys.length === 1 ? "" : "s"}: ${shown}`;
}

export function EvaluationView({ evaluation, testId }: { evaluation: Evaluation; testId?: string }) {
  const root = evaluation.tree[0];
  const nodes = new Map(evaluation.tree.map((node) => [node.id, node]));
  return (
    <Box data-testid={testId}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 1, flexWrap: "wrap" }}>
        <Chip size="small" color={evaluation.requested ? "success" : "default"} label={requestLabel(evaluation)} />
        <Typography variant="caption" sx={{ color: "text.secondary" }}>
          {evaluation.tick > 0 ? `tick ${evaluation.tick}, ` : ""}
          {exactTime(evaluation.evaluatedAt)}
        </Typography>
      </Box>
      {root !== undefined && (
        <Box component="ul" sx={{ m: 0, p: 1.5, bgcolor: "#f9fafb", borderRadius: 1 }}>
          <NodeView id={root.id} nodes={nodes} depth={0} />
        </Box>
      )}
    </Box>
  );
}
