// Pure conversion of a workflow document (appendix A) into React Flow nodes and edges.
import type { Edge, Node } from "@xyflow/react";
import type { Step, Trigger, WorkflowDocument } from "../client";

export const TRIGGER_ID = "trigger";
export const DEFAULT_PORT = "out";

export interface TriggerNodeData extends Record<string, unknown> {
  trigger: Trigger | null;
}

export interface StepNodeData extends Record<string, unknown> {
  step: Step;
  /** Output ports: "out", or one per Distribute group. */
  ports: string[];
}

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
    columns.set(d, [...(columns.get(d) ?? []), step.id]);
  }
  const positions: Record<string, { x: number; y: number }> = { [TRIGGER_ID]: { x: 0, y: 0 } };
  for (const [d, ids] of columns) {
    ids.forEach((id, row) => {
      positions[id] = { x: d * COLUMN_WIDTH, y: (row - (ids.length - 1) / 2) * ROW_HEIGHT };
    });
  }
  return positions;
}

export function documentToFlow(document: WorkflowDocument): { nodes: FlowNode[]; edges: Edge[] } {
  const steps = document.steps ?? [];
  const computed = layeredPositions(steps);
  const layout = document.layout ?? {};
  const position = (id: string) => layout[id] ?? computed[id] ?? { x: 0, y: 0 };
  const trigger = document.trigger ?? null;

  const nodes: FlowNode[] = [
    { id: TRIGGER_ID, type: "trigger", position: position(TRIGGER_ID), data: { trigger }, deletable: false },
    ...steps.map(
      (step): StepFlowNode => ({ id: step.id, type: "step", position: position(step.id), data: { step, ports: stepPorts(step) } }),
    ),
  ];

  const ids = new Set(steps.map((step) => step.id));
  const edges: Edge[] = [];
  for (const step of steps) {
    const after = step.after ?? [];
    if (after.length === 0 && trigger) {
      // A step with no upstream step takes what the trigger starts with.
      edges.push({ id: `${TRIGGER_ID}->${step.id}`, source: TRIGGER_ID, target: step.id, sourceHandle: DEFAULT_PORT });
    }
    for (const ref of after) {
      const { source, port } = parseRef(ref);
      if (!ids.has(source)) continue; // dangling ref: Final checks reports it
      edges.push({ id: `${ref}->${step.id}`, source, sourceHandle: port, target: step.id, label: port === DEFAULT_PORT ? undefined : port });
    }
  }
  return { nodes, edges };
}
