// "Organize steps": a layered left-to-right placement of the whole canvas by elkjs (pure, no React).
import ELK, { type ElkExtendedEdge, type ElkNode, type ElkPort } from "elkjs/lib/elk.bundled.js";
import type { WorkflowDocument } from "../client";
import { documentToFlow, NODE_WIDTH, estimatedNodeHeight, type FlowNode, type Knowledge } from "./graph";

export type Size = { width: number; height: number };
export type Positions = Record<string, { x: number; y: number }>;

const elk = new ELK();

const OPTIONS = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.layered.spacing.nodeNodeBetweenLayers": "80",
  "elk.spacing.nodeNode": "40",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
  "elk.layered.crossingMinimization.strategy": "LAYER_SWEEP",
};

const portId = (node: string, port: string) => `${node}::${port}`;

function ports(node: FlowNode, used: ReadonlySet<string>): ElkPort[] {
  const drawn = node.type === "step" ? node.data.ports : ["out"];
  // A line may leave from a port the node does not draw (a group renamed since): ELK needs every end to exist.
  const outputs = [...drawn, ...[...used].filter((port) => !drawn.includes(port))];
  const list: ElkPort[] = outputs.map((port, index) => ({
    id: portId(node.id, port),
    width: 1,
    height: 1,
    // Ports keep their order top to bottom, as the node draws them (Distribute's groups).
    layoutOptions: { "elk.port.side": "EAST", "elk.port.index": String(index) },
  }));
  if (node.type === "step") list.push({ id: portId(node.id, "in"), width: 1, height: 1, layoutOptions: { "elk.port.side": "WEST" } });
  return list;
}

/**
 * Every node's top-left position after a layered layout, left to right from the trigger. `sizes` are the
 * rendered sizes where known (React Flow's `measured`); otherwise the nodes' usual sizes are assumed.
 */
export async function organize(document: WorkflowDocument, sizes: ReadonlyMap<string, Size> = new Map(), knowledge?: Knowledge): Promise<Positions> {
  const { nodes, edges } = documentToFlow(document, { knowledge });
  const used = new Map<string, Set<string>>();
  for (const edge of edges) {
    const set = used.get(edge.source) ?? new Set<string>();
    set.add(edge.sourceHandle ?? "out");
    used.set(edge.source, set);
  }
  const graph: ElkNode = {
    id: "root",
    layoutOptions: OPTIONS,
    children: nodes.map((node) => {
      const size = sizes.get(node.id) ?? { width: NODE_WIDTH, height: estimatedNodeHeight(node) };
      return { id: node.id, ...size, ports: ports(node, used.get(node.id) ?? new Set()), layoutOptions: { "elk.portConstraints": "FIXED_ORDER" } };
    }),
    edges: edges.map(
      (edge): ElkExtendedEdge => ({
        id: edge.id,
        sources: [portId(edge.source, edge.sourceHandle ?? "out")],
        targets: [portId(edge.target, "in")],
      }),
    ),
  };
  const laid = await elk.layout(graph);
  const positions: Positions = {};
  for (const child of laid.children ?? []) positions[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
  return positions;
}
