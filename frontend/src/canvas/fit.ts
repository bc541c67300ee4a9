// "Fit to view" for the editor's and the run page's canvas: the whole workflow when it fits at a readable zoom, else its start at
// that zoom (the rest a scroll away) — see canvas/view.ts. React Flow's own fit shrank eight steps to 6 px text.
import type { Edge, ReactFlowInstance } from "@xyflow/react";
import { FIT, readableFit, type Rect } from "./view";
import { TRIGGER_ID, type FlowNode } from "./graph";

/** React Flow's fit options where its own fit still runs (the first paint): never past 100%, never unreadable. */
export const FIT_VIEW = { padding: 0.1, maxZoom: FIT.maxZoom, minZoom: FIT.minZoom } as const;

/** Fits the canvas in `container` readably; resolves once the move is under way. */
export async function fitReadably<E extends Edge>(flow: ReactFlowInstance<FlowNode, E>, container: HTMLElement | null, duration = 150): Promise<void> {
  const nodes = flow.getNodes();
  if (!container || nodes.length === 0) return;
  const bounds = flow.getNodesBounds(nodes);
  const trigger = flow.getInternalNode(TRIGGER_ID);
  const anchor: Rect | undefined = trigger
    ? { ...trigger.internals.positionAbsolute, width: trigger.measured.width ?? 0, height: trigger.measured.height ?? 0 }
    : undefined;
  const box = container.getBoundingClientRect();
  await flow.setViewport(readableFit(bounds, { width: box.width, height: box.height }, { ...FIT, anchor }), { duration });
}
