// The run on the canvas, read-only: the document's nodes (the canvas helper's node types) each carrying its
// live `data.run`; clicking a node picks its step's details.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Background, ReactFlow, ReactFlowProvider, applyNodeChanges, type Edge, type NodeChange } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { WorkflowDocument } from "../client";
import type { Run } from "../client/runs";
import { documentToFlow, type FlowNode } from "../canvas/graph";
import { nodeTypes } from "../canvas/nodes";
import { reconcileNodes } from "../canvas/reconcile";
import { nodeRunStates, runInProgress } from "./liveRun";

export function RunCanvas({
  document,
  run,
  selected,
  onSelect,
}: {
  document: WorkflowDocument;
  run: Run;
  selected: string | null;
  onSelect(nodeId: string): void;
}) {
  const flow = useMemo(() => documentToFlow(document), [document]);
  const states = useMemo(() => nodeRunStates(run), [run]);
  // Nodes live in state and take React Flow's measurements (its `dimensions` changes), reconciled as the editor's
  // are: a node array replaced by each run update without them stays "unmeasured" — hidden.
  const derived = useMemo(
    () =>
      flow.nodes.map((node) => {
        const state = states[node.id];
        return (state ? { ...node, data: { ...node.data, run: state } } : node) as FlowNode;
      }),
    [flow, states],
  );
  const [nodes, setNodes] = useState<FlowNode[]>(() => reconcileNodes([], derived, selected));
  useEffect(() => setNodes((current) => reconcileNodes(current, derived, selected)), [derived, selected]);
  const onNodesChange = useCallback(
    (changes: NodeChange<FlowNode>[]) =>
      setNodes((current) => applyNodeChanges(changes.filter((change) => change.type === "dimensions"), current)),
    [],
  );
  // Edges out of a running step move, so the eye follows the run along the graph.
  const edges = useMemo<Edge[]>(
    () => flow.edges.map((edge) => ({ ...edge, animated: runInProgress(run.status) && states[edge.source]?.status === "running" })),
    [flow, states, run.status],
  );

  return (
    <div style={{ height: 420, border: "1px solid var(--mantine-color-gray-3)", borderRadius: 8 }} data-testid="run-canvas">
      <ReactFlowProvider>
        <ReactFlow<FlowNode, Edge>
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable
          deleteKeyCode={null}
          onNodeClick={(_, node) => onSelect(node.id)}
          fitView
          fitViewOptions={{ padding: 0.2 }}
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
