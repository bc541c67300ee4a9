// The canvas toolbar (the guide's "Use the toolbar to keep a busy canvas tidy"): Add new step, Drag mode /
// Select mode, Zoom In, Zoom Out, Fit to view, Organize steps, Show minimap / Hide minimap.
import { Button, Group } from "@mantine/core";
import { Panel, useReactFlow } from "@xyflow/react";
import { FIT_VIEW } from "./fitView";

export type PointerMode = "drag" | "select";

export interface CanvasToolbarProps {
  readOnly: boolean;
  mode: PointerMode;
  onMode(mode: PointerMode): void;
  minimap: boolean;
  onToggleMinimap(): void;
  onAddStep(): void;
  onOrganize(): void;
  organizing: boolean;
}

export function CanvasToolbar(props: CanvasToolbarProps) {
  const flow = useReactFlow();
  const { readOnly, mode, onMode, minimap, onToggleMinimap, onAddStep, onOrganize, organizing } = props;
  return (
    <Panel position="top-right">
      <Group gap={6} role="toolbar" aria-label="Canvas toolbar" wrap="wrap" justify="flex-end">
        {!readOnly && (
          <Button size="xs" onClick={onAddStep}>
            Add new step
          </Button>
        )}
        <Button.Group>
          <Button size="xs" variant={mode === "drag" ? "filled" : "default"} aria-pressed={mode === "drag"} onClick={() => onMode("drag")}>
            Drag mode
          </Button>
          <Button size="xs" variant={mode === "select" ? "filled" : "default"} aria-pressed={mode === "select"} onClick={() => onMode("select")}>
            Select mode
          </Button>
        </Button.Group>
        <Button size="xs" variant="default" onClick={() => void flow.zoomIn({ duration: 150 })}>
          Zoom In
        </Button>
        <Button size="xs" variant="default" onClick={() => void flow.zoomOut({ duration: 150 })}>
          Zoom Out
        </Button>
        <Button size="xs" variant="default" onClick={() => void flow.fitView({ ...FIT_VIEW, duration: 150 })}>
          Fit to view
        </Button>
        {!readOnly && (
          <Button size="xs" variant="default" onClick={onOrganize} loading={organizing}>
            Organize steps
          </Button>
        )}
        <Button size="xs" variant="default" onClick={onToggleMinimap}>
          {minimap ? "Hide minimap" : "Show minimap"}
        </Button>
      </Group>
    </Panel>
  );
}
