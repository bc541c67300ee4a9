// The canvas toolbar (the guide's "Use the toolbar to keep a busy canvas tidy"): Add new step, Drag mode /
// Select mode, Zoom In, Zoom Out, Fit to view, Organize steps, Show minimap / Hide minimap. All but "Add new step"
// are icon buttons named by their label (aria-label, and a tooltip), so the toolbar stays one row beside the side
// panel at 1280×720 and at 1024 wide (as words it wrapped to three rows over the canvas).
import type { ReactNode } from "react";
import { ActionIcon, Button, Group, Tooltip } from "@mantine/core";
import { Panel, useReactFlow } from "@xyflow/react";

export type PointerMode = "drag" | "select";

export interface CanvasToolbarProps {
  readOnly: boolean;
  mode: PointerMode;
  onMode(mode: PointerMode): void;
  minimap: boolean;
  onToggleMinimap(): void;
  onAddStep(): void;
  onOrganize(): void;
  onFit(): void;
  organizing: boolean;
}

// Icons: SVG path data on a 24×24 grid, stroked like the nodes' icons.
const ICONS = {
  drag: "M12 3v18M3 12h18M12 3l-3 3M12 3l3 3M12 21l-3-3M12 21l3-3M3 12l3-3M3 12l3 3M21 12l-3-3M21 12l-3 3",
  select: "M4 4h4M12 4h4M20 4v4M20 12v4M20 20h-4M12 20H8M4 20v-4M4 12V8",
  zoomIn: "M10 4a6 6 0 1 0 0 12a6 6 0 1 0 0-12M14.5 14.5 20 20M7 10h6M10 7v6",
  zoomOut: "M10 4a6 6 0 1 0 0 12a6 6 0 1 0 0-12M14.5 14.5 20 20M7 10h6",
  fit: "M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5",
  organize: "M4 5h6v5H4zM14 14h6v5h-6zM14 5h6v5h-6zM10 7.5h4M17 10v4",
  minimap: "M3 5h18v14H3zM13 12h6v5h-6z",
};

function Glyph({ d }: { d: string }) {
  return (
    <svg width={18} height={18} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <path d={d} />
    </svg>
  );
}

function Tool({ label, icon, onClick, pressed, loading }: { label: string; icon: string; onClick(): void; pressed?: boolean; loading?: boolean }): ReactNode {
  return (
    <Tooltip label={label} withArrow openDelay={300}>
      <ActionIcon
        size={30}
        variant={pressed ? "filled" : "default"}
        aria-label={label}
        aria-pressed={pressed}
        loading={loading}
        onClick={onClick}
      >
        <Glyph d={icon} />
      </ActionIcon>
    </Tooltip>
  );
}

export function CanvasToolbar(props: CanvasToolbarProps) {
  const flow = useReactFlow();
  const { readOnly, mode, onMode, minimap, onToggleMinimap, onAddStep, onOrganize, onFit, organizing } = props;
  return (
    <Panel position="top-right">
      <Group gap={6} role="toolbar" aria-label="Canvas toolbar" wrap="nowrap" justify="flex-end">
        {!readOnly && (
          <Button size="xs" h={30} onClick={onAddStep}>
            Add new step
          </Button>
        )}
        <ActionIcon.Group>
          <Tool label="Drag mode" icon={ICONS.drag} pressed={mode === "drag"} onClick={() => onMode("drag")} />
          <Tool label="Select mode" icon={ICONS.select} pressed={mode === "select"} onClick={() => onMode("select")} />
        </ActionIcon.Group>
        <Tool label="Zoom In" icon={ICONS.zoomIn} onClick={() => void flow.zoomIn({ duration: 150 })} />
        <Tool label="Zoom Out" icon={ICONS.zoomOut} onClick={() => void flow.zoomOut({ duration: 150 })} />
        <Tool label="Fit to view" icon={ICONS.fit} onClick={onFit} />
        {!readOnly && <Tool label="Organize steps" icon={ICONS.organize} onClick={onOrganize} loading={organizing} />}
        <Tool label={minimap ? "Hide minimap" : "Show minimap"} icon={ICONS.minimap} onClick={onToggleMinimap} />
      </Group>
    </Panel>
  );
}
