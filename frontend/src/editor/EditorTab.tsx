// The Editor tab: the canvas (with its toolbar) and the side panel for the selected node or Final checks.
import type { KeyboardEvent } from "react";
import { ReactFlowProvider } from "@xyflow/react";
import { useEditor } from "./context";
import { Canvas } from "./Canvas";
import { NodePanel } from "../panel/NodePanel";
import { FinalChecks } from "../lifecycle/FinalChecks";
import { focusPanel } from "../panel/PanelFrame";

export function EditorTab() {
  const { panel, selectNode } = useEditor();
  // Enter or Space on a focused node (Tab reaches each) opens its panel as a click does (React Flow's own keys
  // only mark it selected), and the focus moves into the panel, where its form is.
  const openFocusedNode = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    const target = event.target as HTMLElement;
    const id = target.classList.contains("react-flow__node") ? target.dataset.id : undefined;
    if (!id) return;
    event.preventDefault();
    selectNode(id);
    requestAnimationFrame(focusPanel);
  };
  return (
    <div style={{ display: "flex", height: "100%" }}>
      <div style={{ flex: 1, minWidth: 0 }} onKeyDown={openFocusedNode}>
        <ReactFlowProvider>
          <Canvas />
        </ReactFlowProvider>
      </div>
      {panel.kind !== "none" && (
        <aside style={{ width: 380, borderLeft: "1px solid var(--mantine-color-gray-3)", overflow: "auto" }}>
          {panel.kind === "checks" ? <FinalChecks /> : <NodePanel />}
        </aside>
      )}
    </div>
  );
}
