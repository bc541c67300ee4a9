// Pure conversion of a workflow document (appendix A) into React Flow nodes and edges.
import type { Edge, Node } from "@xyflow/react";
import type { Issue, Step, Trigger, WorkflowDocument } from "../client";

export const TRIGGER_ID = "trigger";
export const DEFAULT_PORT = "out";

/** A node's state in a run (the run page's live canvas); absent in the editor. */
export interface NodeRunState {
  /** pending, running, completed, failed, skipped, cancelled (the trigger: the run's own status). */
  status: string;
  rows_in?: number | null;
  rows_out?: number | null;
  credits?: number | null;
  error?: string | null;
  /** A long Process Conversations step: processed so far of total, credits so far. */
  progress?: { processed: number; total: number; credits: number } | null;
}

export interface TriggerNodeData extends Record<string, unknown> {
  trigger: Trigger | null;
  run?: NodeRunState;
}

export interface StepNodeData extends Record<string, unknown> {
  step: Step;
  /** Output ports: "out", or one per Distribute group. */
  ports: string[];
  run?: NodeRunState;
  /** Final checks found issues on this step (the editor marks it). */
  issueCount?: number;
}

/** What an edge carries: the `after` reference it stands for ("split.A", "pick"), or null for the trigger's. */
export interface FlowEdgeData extends Record<string, unknown> {
  ref: string | null;
}

export type FlowEdge = Edge<FlowEdgeData>;

export type TriggerFlowNode = Node<TriggerNodeData, "trigger">;
export type StepFlowNode = Node<StepNodeData, "step">;
export type FlowNode = TriggerFlowNode | StepFlowNode;

/** "split.A" → {source: "split", port: "A"}; "pick" → {source: "pick", port: "out"}. */
export function parseRef(ref: string): { source: string; port: string } {
  const dot = ref.indexOf(".");
  return dot < 0 ? { source: ref, port: DEFAULT_PORT } : { source: ref.slice(0, dot), port: ref.slice(dot + 1) };
}

export function stepPorts(step: Step): string[] {
  if (step.type === "distribute") {
    const groups = (step.config?.groups ?? []) as Array<{ name?: unknown }>;
    const names = Array.isArray(groups) ? groups.map((group) => group?.name).filter((n): n is string => typeof n === "string") : [];
    if (names.length > 0) return names;
  }
  return [DEFAULT_PORT];
}

export const COLUMN_WIDTH = 300;
/** A node's width on the canvas (nodes.tsx draws them this wide). */
export const NODE_WIDTH = 220;

/** About how tall a node draws before it is measured (a Distribute grows with its groups). */
export function estimatedNodeHeight(node: FlowNode): number {
  if (node.type === "trigger") return 80;
  return Math.max(72, 40 + node.data.ports.length * 22);
}
export const ROW_HEIGHT = 130;

/**
 * A simple layered placement (column = longest path from the trigger) used where the document has no
 * `layout`; "Organize steps" with elkjs replaces it later.
 */
export function layeredPositions(steps: Step[]): Record<string, { x: number; y: number }> {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 1; // a cycle: validation reports it; just place it
    visiting.add(id);
    const step = byId.get(id);
    let d = 1;
    for (const ref of step?.after ?? []) {
      const { source } = parseRef(ref);
      if (byId.has(source)) d = Math.max(d, depthOf(source) + 1);
    }
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const columns = new Map<number, string[]>();
  for (const step of steps) {
    const d = depthOf(step.id);
    const column = columns.get(d);
    if (column) column.push(step.id);
    else columns.set(d, [step.id]);
  }
  const positions: Record<string, { x: number; y: number }> = { [TRIGGER_ID]: { x: 0, y: 0 } };
  for (const [d, ids] of columns) {
    ids.forEach((id, row) => {
      positions[id] = { x: d * COLUMN_WIDTH, y: (row - (ids.length - 1) / 2) * ROW_HEIGHT };
    });
  }
  return positions;
}

/** The `after` reference for an output port: "split.A" for a Distribute group, the bare id for "out". */
export function refFor(source: string, port: string | null | undefined): string {
  return !port || port === DEFAULT_PORT ? source : `${source}.${port}`;
}

/** Issues per node id, counted once (not per node). */
export function issueCounts(issues: readonly Issue[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const issue of issues) if (issue.node) counts.set(issue.node, (counts.get(issue.node) ?? 0) + 1);
  return counts;
}

export interface FlowOptions {
  /** Final checks' issues: each step node gets its `issueCount`. */
  issues?: readonly Issue[];
}

/** The document as React Flow nodes and edges, in O(steps + connections). */
export function documentToFlow(document: WorkflowDocument, options: FlowOptions = {}): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const steps = document.steps ?? [];
  const layout = document.layout ?? {};
  // Only compute a placement when some node has none stored.
  const needsPlacement = !layout[TRIGGER_ID] || steps.some((step) => !layout[step.id]);
  const computed = needsPlacement ? layeredPositions(steps) : {};
  const position = (id: string) => layout[id] ?? computed[id] ?? { x: 0, y: 0 };
  const trigger = document.trigger ?? null;
  const counts = options.issues ? issueCounts(options.issues) : null;

  const nodes: FlowNode[] = [
    { id: TRIGGER_ID, type: "trigger", position: position(TRIGGER_ID), data: { trigger }, deletable: false },
    ...steps.map((step): StepFlowNode => {
      const data: StepNodeData = { step, ports: stepPorts(step) };
      const count = counts?.get(step.id);
      if (count) data.issueCount = count;
      return { id: step.id, type: "step", position: position(step.id), data };
    }),
  ];

  const ids = new Set(steps.map((step) => step.id));
  const edges: FlowEdge[] = [];
  for (const step of steps) {
    const after = step.after ?? [];
    if (after.length === 0 && trigger) {
      // A step with no upstream step takes what the trigger starts with; that line is not deletable on its own.
      edges.push({
        id: `${TRIGGER_ID}->${step.id}`,
        source: TRIGGER_ID,
        target: step.id,
        sourceHandle: DEFAULT_PORT,
        deletable: false,
        data: { ref: null },
      });
    }
    for (const ref of after) {
      const { source, port } = parseRef(ref);
      if (!ids.has(source)) continue; // dangling ref: Final checks reports it
      edges.push({
        id: `${ref}->${step.id}`,
        source,
        sourceHandle: port,
        target: step.id,
        label: port === DEFAULT_PORT ? undefined : port,
        data: { ref },
      });
    }
  }
  return { nodes, edges };
}
