// The run on the canvas, read-only: the document's nodes (the canvas helper's node types) each carrying its
// live `data.run`; clicking a node picks its step's details. Run nodes are taller than the editor's, so once
// measured they are spread apart where the editor's places would make them touch, and the view fits them again.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  ReactFlow,
  ReactFlowProvider,
  applyNodeChanges,
  type Edge,
  type NodeChange,
  type ReactFlowInstance,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { WorkflowDocument } from "../client";
import type { Run } from "../client/runs";
import { documentToFlow, type FlowNode } from "../canvas/graph";
import { nodeTypes } from "../canvas/nodes";
import { reconcileNodes } from "../canvas/reconcile";
import { useKnowledge } from "../canvas/useKnowledge";
import { FIT_VIEW, fitReadably } from "../canvas/fit";
import { spreadApart } from "../canvas/spread";
import { nodeRunStates, runInProgress } from "./liveRun";

const NODE_GAP = 16; // at least this much space between two nodes, one above the other

/** The nodes, each measured one moved down as far as needed to clear the others; the rest as they are. */
function spread(nodes: FlowNode[]): FlowNode[] {
  const measured = nodes.filter((node) => node.measured?.width && node.measured?.height);
  if (measured.length < 2) return nodes;
  const ys = spreadApart(
    measured.map((node) => ({
      id: node.id,
      x: node.position.x,
      y: node.position.y,
      width: node.measured?.width ?? 0,
      height: node.measured?.height ?? 0,
    })),
    NODE_GAP,
  );
  return nodes.map((node) => {
    const y = ys[node.id];
    return y === undefined || y === node.position.y ? node : { ...node, position: { ...node.position, y } };
  });
}

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
  // The editor's nodes: each kind's icon and title, each step's summary (the server's, as in the editor).
  const knowledge = useKnowledge(document);
  const flow = useMemo(() => documentToFlow(document, { knowledge }), [document, knowledge]);
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
  // Where each node is shown: its editor place, moved down if it would touch another (heights known once measured).
  const shown = useMemo(() => spread(nodes), [nodes]);
  const [instance, setInstance] = useState<ReactFlowInstance<FlowNode, Edge> | null>(null);
  const places = shown.map((node) => `${node.id}:${node.position.y}`).join("|");
  // Fitted as the editor fits: readable text (a least zoom), the run's start in view, the rest a drag away.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (instance) void fitReadably(instance, box.current, 0);
  }, [instance, places]);
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
    <div ref={box} style={{ height: 420, border: "1px solid var(--mantine-color-gray-3)", borderRadius: 8 }} data-testid="run-canvas">
      <ReactFlowProvider>
        <ReactFlow<FlowNode, Edge>
          nodes={shown}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable
          deleteKeyCode={null}
          onNodeClick={(_, node) => onSelect(node.id)}
          onInit={setInstance}
          fitView
          fitViewOptions={FIT_VIEW}
          minZoom={0.1}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
        </ReactFlow>
      </ReactFlowProvider>
    </div>
  );
}
