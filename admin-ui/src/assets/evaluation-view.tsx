/**
 * An evaluation of an asset's condition at one tick: whether it requested a run, and the condition tree with each
 * node's value and reason. Reads the shape `Evaluation { requested evaluatedAt tree { id label value reason children } }`
 * when the server has it; anything else falls back to a plain table.
 */
import CancelIcon from "@mui/icons-material/Cancel";
import CheckCircleIcon from "@mui/icons-material/CheckCircle";
import { Box, Chip, Typography } from "@mui/material";
import type { GenericRow } from "../types.ts";
import { GenericRows } from "./panels.tsx";

interface EvaluationNode {
  readonly id: string;
  readonly label: string;
  readonly value: boolean;
  readonly reason?: string | null;
  readonly children: readonly string[];
}

function isTree(value: unknown): value is readonly EvaluationNode[] {
  return Array.isArray(value) && value.every((node) => node !== null && typeof node === "object" && "id" in node && "value" in node && "children" in node);
}

function NodeLine({ node }: { node: EvaluationNode }) {
  return (
    <Box component="span" sx={{ display: "inline-flex", alignItems: "center", gap: 0.75, flexWrap: "wrap" }}>
      {node.value ? <CheckCircleIcon sx={{ fontSize: 16 }} color="success" aria-label="true" /> : <CancelIcon sx={{ fontSize: 16, color: "grey.400" }} aria-label="false" />}
      <Typography variant="body2" component="span" sx={{ fontWeight: node.children.length > 0 ? 600 : 400 }}>
        {node.label}
      </Typography>
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

export function EvaluationView({ row, testId }: { row: GenericRow; testId?: string }) {
  const tree = row["tree"];
  if (!isTree(tree) || tree.length === 0) return <GenericRows rows={[row]} />;
  const nodes = new Map(tree.map((node) => [node.id, node]));
  const when = typeof row["evaluatedAt"] === "string" ? new Date(row["evaluatedAt"]).toLocaleString("en-GB") : null;
  return (
    <Box data-testid={testId}>
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 1, flexWrap: "wrap" }}>
        <Chip size="small" color={row["requested"] === true ? "success" : "default"} label={row["requested"] === true ? "requests a run" : "no run requested"} />
        {when && <Typography variant="caption" sx={{ color: "text.secondary" }}>{typeof row["tick"] === "number" ? `tick ${row["tick"]}, ` : ""}{when}</Typography>}
      </Box>
      <Box component="ul" sx={{ m: 0, p: 1.5, bgcolor: "#f9fafb", borderRadius: 1 }}>
        <NodeView id={tree[0]!.id} nodes={nodes} depth={0} />
      </Box>
    </Box>
  );
}
