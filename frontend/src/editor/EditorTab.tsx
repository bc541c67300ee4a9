// The Editor tab: the canvas (with its toolbar) and the side panel for the selected node or Final checks.
import { ReactFlowProvider } from "@xyflow/react";
import { useEditor } from "./context";
import { Canvas } from "./Canvas";
import { NodePanel } from "../panel/NodePanel";
import { FinalChecks } from "../lifecycle/FinalChecks";

export function EditorTab() {
  const { panel } = useEditor();
  return (
    <div style={{ display: "flex", height: "100%" }}>
      <div style={{ flex: 1, minWidth: 0 }}>
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
