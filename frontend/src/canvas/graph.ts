// Pure conversion of a workflow document (appendix A) into React Flow nodes and edges.
import type { Edge, Node } from "@xyflow/react";
import type { Issue, NodeSummaries, Step, StepCatalog, StepKind, Trigger, TriggerKind, WorkflowDocument } from "../client";

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

/** How a node looks, from its kind in the catalog: title, icon (SVG path data), colour (a Mantine palette name). */
export interface NodeLook {
  title: string;
  icon?: string;
  color?: string;
  /** What it does, in one line (POST /steps/summaries); undefined until the server has answered. */
  summary?: string;
}

export interface TriggerNodeData extends Record<string, unknown>, Partial<NodeLook> {
  trigger: Trigger | null;
  run?: NodeRunState;
}

export interface StepNodeData extends Record<string, unknown>, NodeLook {
  step: Step;
  /** Output ports: "out", or one per Distribute group. */
  ports: string[];
  /** False while its config is not one the kind accepts (the summary then says "Not set up yet"). */
  complete?: boolean;
  run?: NodeRunState;
  /** Final checks found issues on this step (the editor marks it). */
  issueCount?: number;
}

/** What the canvas knows of the kinds (GET /steps) and of this document's nodes (POST /steps/summaries). */
export interface Knowledge {
  kinds: ReadonlyMap<string, StepKind>;
  triggers: ReadonlyMap<string, TriggerKind>;
  summaries?: NodeSummaries | null;
}

export function knowledgeOf(catalog: StepCatalog | null | undefined, summaries?: NodeSummaries | null): Knowledge {
  return {
    kinds: new Map((catalog?.steps ?? []).map((kind) => [kind.type, kind])),
    triggers: new Map((catalog?.triggers ?? []).map((kind) => [kind.type, kind])),
    summaries,
  };
}

/** A type as words, until the catalog names it ("send_alert" → "Send alert"). */
function words(type: string): string {
  const text = type.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
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

/**
 * A step's output ports as its kind declares them (`ports_from`: Distribute's group names, as typed so far), so a
 * group's port shows the moment it is added; "out" for every other kind (and before the catalog is known).
 */
export function stepPorts(step: Step, kind?: StepKind): string[] {
  const rule = kind?.ports_from;
  if (rule) {
    const items = step.config?.[rule.list_field];
    const names = Array.isArray(items)
      ? items.map((item) => (item && typeof item === "object" ? (item as Record<string, unknown>)[rule.name_field] : undefined))
      : [];
    const named = names.filter((name): name is string => typeof name === "string" && name !== "");
    if (named.length > 0) return named;
  }
  return [DEFAULT_PORT];
}

export const COLUMN_WIDTH = 300;
/** A node's width on the canvas (nodes.tsx draws them this wide). */
export const NODE_WIDTH = 240;
/** The height of one output port's row on a node with several (its label, its handle at the row's middle). */
export const PORT_ROW = 24;

/** About how tall a node draws before it is measured (a Distribute grows with its groups). */
export function estimatedNodeHeight(node: FlowNode): number {
  if (node.type === "trigger") return 84;
  const ports = node.data.ports.length;
  return 84 + (ports > 1 ? ports * PORT_ROW + 6 : 0);
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
  /** Titles, icons, colours and ports of the kinds; each node's summary. */
  knowledge?: Knowledge;
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
  const knowledge = options.knowledge;
  const said = knowledge?.summaries;

  const triggerData: TriggerNodeData = { trigger };
  const triggerKind = trigger ? knowledge?.triggers.get(trigger.type) : undefined;
  if (trigger) triggerData.title = triggerKind?.title ?? words(trigger.type);
  if (triggerKind) Object.assign(triggerData, { icon: triggerKind.icon, color: triggerKind.color });
  if (trigger && typeof said?.trigger === "string") triggerData.summary = said.trigger;
  const nodes: FlowNode[] = [
    { id: TRIGGER_ID, type: "trigger", position: position(TRIGGER_ID), data: triggerData, deletable: false },
    ...steps.map((step): StepFlowNode => {
      const kind = knowledge?.kinds.get(step.type);
      const data: StepNodeData = { step, ports: stepPorts(step, kind), title: kind?.title ?? words(step.type) };
      if (kind) Object.assign(data, { icon: kind.icon, color: kind.color });
      const summary = said?.steps[step.id];
      if (summary) Object.assign(data, { summary: summary.summary, complete: summary.complete });
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
      // No label on the line: a Distribute's group names sit on its node, beside the port each line leaves from
      // (labels halfway along the lines ran over each other). Screen readers get the group in the line's name.
      const group = port === DEFAULT_PORT ? "" : `, group ${port}`;
      edges.push({
        id: `${ref}->${step.id}`,
        source,
        sourceHandle: port,
        target: step.id,
        ariaLabel: `Edge from ${source} to ${step.id}${group}`,
        data: { ref },
      });
    }
  }
  return { nodes, edges };
}
