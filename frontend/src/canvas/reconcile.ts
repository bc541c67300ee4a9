// Keeps React Flow's node and edge objects stable across edits: a node whose step, issues, position and
// selection did not change keeps its object, so its memoised component does not re-render (200 steps stay
// smooth), and keeps its `measured` size, so React Flow does not measure it again.
import type { FlowEdge, FlowNode } from "./graph";

/** What a node shows of its kind and summary (these arrive from the server after the document). */
function sameLook(before: FlowNode["data"], after: FlowNode["data"]): boolean {
  return before.title === after.title && before.icon === after.icon && before.color === after.color && before.summary === after.summary;
}

function sameNode(before: FlowNode, after: FlowNode): boolean {
  if (before.type !== after.type) return false;
  if (before.position.x !== after.position.x || before.position.y !== after.position.y) return false;
  if (!sameLook(before.data, after.data)) return false;
  if (before.type === "trigger" && after.type === "trigger") return before.data.trigger === after.data.trigger && before.data.run === after.data.run;
  if (before.type === "step" && after.type === "step") {
    return (
      before.data.step === after.data.step &&
      before.data.issueCount === after.data.issueCount &&
      before.data.run === after.data.run &&
      before.data.complete === after.data.complete &&
      before.data.ports.join("\u0000") === after.data.ports.join("\u0000")
    );
  }
  return false;
}

/** The next nodes: `derived` (from the document), reusing `current`'s object wherever nothing changed. */
export function reconcileNodes(current: readonly FlowNode[], derived: readonly FlowNode[], selected: string | null): FlowNode[] {
  const byId = new Map(current.map((node) => [node.id, node]));
  return derived.map((node) => {
    const isSelected = node.id === selected;
    const before = byId.get(node.id);
    if (before && !!before.selected === isSelected && sameNode(before, node)) return before;
    return { ...node, selected: isSelected, measured: before?.measured } as FlowNode;
  });
}

/** The next edges, reusing `current`'s objects where the id (which names the connection) and selection match. */
export function reconcileEdges(current: readonly FlowEdge[], derived: readonly FlowEdge[], selected: string | null): FlowEdge[] {
  const byId = new Map(current.map((edge) => [edge.id, edge]));
  return derived.map((edge) => {
    const isSelected = edge.id === selected;
    const before = byId.get(edge.id);
    if (before && !!before.selected === isSelected) return before;
    return { ...edge, selected: isSelected };
  });
}
