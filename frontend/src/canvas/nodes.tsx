// The canvas's node components: the trigger (or its placeholder) and a step, each with its kind's icon, title and
// one-line summary (all from the server: GET /steps, POST /steps/summaries). Everything on a node is in the normal
// flow — header, summary, run state, then one row per output port with its label and handle — so no text can
// overlap another however tall the run state grows. Memoised: with 200 steps, a node re-renders only when its own
// data, selection or position changes.
import { memo, type CSSProperties, type MouseEvent, type ReactNode } from "react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { ActionIcon, Badge, Group, Menu, Paper, Stack, Text, ThemeIcon } from "@mantine/core";
import { TRIGGER_PLACEHOLDER } from "../steps";
import { useCanvasActions } from "./actions";
import { DEFAULT_PORT, NODE_WIDTH, PORT_ROW, TRIGGER_ID, refFor, type NodeRunState, type StepFlowNode, type TriggerFlowNode } from "./graph";
import { RunStatus, runStatusColor } from "./RunStatus";

/** Connection handles: 12 px (React Flow's 6 px showed about 3 px at a fitted zoom, too small to grab). */
const HANDLE: CSSProperties = { width: 12, height: 12, borderWidth: 2 };
const PADDING = 10;

function borderColor(selected: boolean, run: NodeRunState | undefined): string | undefined {
  if (run) return `var(--mantine-color-${runStatusColor(run.status)}-6)`;
  return selected ? "var(--mantine-color-blue-6)" : undefined;
}

const stop = (event: MouseEvent) => event.stopPropagation();

/** A kind's icon: SVG path data on a 24×24 grid, stroked, on a light square of the kind's colour. */
export function KindIcon({ icon, color }: { icon?: string; color?: string }) {
  return (
    <ThemeIcon size={28} radius="sm" variant="light" color={color ?? "gray"} aria-hidden style={{ flexShrink: 0 }}>
      <svg width={18} height={18} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
        <path d={icon ?? "M4 4h16v16H4z"} />
      </svg>
    </ThemeIcon>
  );
}

/** The small "+" beside a node: "Add new step after <title>"; a Distribute asks which group. */
function AddAfterButton({ title, source, ports }: { title: string; source: string; ports: string[] }) {
  const actions = useCanvasActions();
  if (!actions) return null;
  const label = `Add new step after ${title}`;
  const style = { position: "absolute", right: -12, bottom: -12 } as const;
  if (ports.length <= 1) {
    return (
      <ActionIcon
        className="nodrag nopan"
        size="sm"
        radius="xl"
        variant="default"
        aria-label={label}
        title={label}
        style={style}
        onClick={(event) => {
          stop(event);
          actions.addAfter(refFor(source, ports[0]));
        }}
      >
        +
      </ActionIcon>
    );
  }
  return (
    <Menu position="right-start" withinPortal>
      <Menu.Target>
        <ActionIcon className="nodrag nopan" size="sm" radius="xl" variant="default" aria-label={label} title={label} style={style} onClick={stop}>
          +
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown onClick={stop}>
        <Menu.Label>After which group?</Menu.Label>
        {ports.map((port) => (
          <Menu.Item key={port} onClick={() => actions.addAfter(refFor(source, port))}>
            {port}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/** Title row: icon, title (cut with "…" if long, whole in its tooltip), and what else the row carries. */
function Header({ icon, color, title, children }: { icon?: string; color?: string; title: string; children?: ReactNode }) {
  return (
    <Group gap={8} wrap="nowrap" data-part="header">
      <KindIcon icon={icon} color={color} />
      <Text fw={600} size="sm" truncate="end" title={title} style={{ flex: 1, minWidth: 0 }} data-part="title">
        {title}
      </Text>
      {children}
    </Group>
  );
}

function Summary({ text, incomplete }: { text: string | undefined; incomplete?: boolean }) {
  if (!text) return null;
  return (
    <Text size="xs" c="dimmed" fs={incomplete ? "italic" : undefined} lineClamp={2} title={text} data-part="summary" style={{ overflowWrap: "anywhere" }}>
      {text}
    </Text>
  );
}

export const TriggerNode = memo(function TriggerNode({ data, selected, isConnectable }: NodeProps<TriggerFlowNode>) {
  const { trigger, run } = data;
  return (
    <Paper
      withBorder
      shadow={selected ? "md" : "xs"}
      p={PADDING}
      w={NODE_WIDTH}
      data-testid="trigger-node"
      style={{ borderStyle: trigger ? "solid" : "dashed", borderColor: borderColor(selected, run), borderWidth: run ? 2 : undefined }}
    >
      <Stack gap={4}>
        {/* 12-px text, not a 9-px badge: readable at Fit to view's least zoom. */}
        <Text size="xs" fw={700} tt="uppercase" c={`${data.color ?? "grape"}.7`} lh={1.2}>
          Trigger
        </Text>
        {trigger ? (
          <>
            <Header icon={data.icon} color={data.color} title={data.title ?? trigger.type} />
            <Summary text={data.summary} />
          </>
        ) : (
          <Text size="sm" c="dimmed">
            {TRIGGER_PLACEHOLDER}
          </Text>
        )}
        {run && <RunStatus run={run} />}
      </Stack>
      {/* Nothing flows from a trigger not chosen yet. */}
      <Handle type="source" position={Position.Right} id={DEFAULT_PORT} isConnectable={isConnectable && !!trigger} style={HANDLE} />
      {trigger && <AddAfterButton title={data.title ?? trigger.type} source={TRIGGER_ID} ports={[DEFAULT_PORT]} />}
    </Paper>
  );
});

export const StepNode = memo(function StepNode({ data, selected, isConnectable }: NodeProps<StepFlowNode>) {
  const { step, ports, run, issueCount, title } = data;
  const many = ports.length > 1;
  const issues = issueCount ? `${issueCount} ${issueCount === 1 ? "issue" : "issues"}` : "";
  return (
    <Paper
      withBorder
      shadow={selected ? "md" : "xs"}
      p={PADDING}
      w={NODE_WIDTH}
      data-testid={`step-node-${step.id}`}
      aria-label={`${title} (${step.id})${data.summary ? `: ${data.summary}` : ""}`}
      style={{ borderColor: borderColor(selected, run), borderWidth: run ? 2 : undefined, position: "relative" }}
    >
      {/* Handles follow the canvas: a viewer's (or a run's) cannot start or take a line. */}
      <Handle type="target" position={Position.Left} isConnectable={isConnectable} style={{ ...HANDLE, top: PADDING + 14 }} />
      <Stack gap={4}>
        <Header icon={data.icon} color={data.color} title={title}>
          {!!issueCount && (
            <Badge size="sm" circle color="red" variant="filled" style={{ flexShrink: 0 }} aria-label={issues} title={`${issues}: see Final checks`}>
              {issueCount}
            </Badge>
          )}
        </Header>
        <Summary text={data.summary} incomplete={data.complete === false} />
        {run && <RunStatus run={run} />}
      </Stack>
      {many ? (
        <div data-part="ports" style={{ marginTop: 6, marginRight: -PADDING }}>
          {ports.map((port) => (
            <div key={port} style={{ position: "relative", height: PORT_ROW, display: "flex", alignItems: "center", justifyContent: "flex-end", paddingRight: 14, paddingLeft: 24 }}>
              <Text size="xs" c="dimmed" truncate="end" title={port} data-part="port-label">
                {port}
              </Text>
              <Handle type="source" position={Position.Right} id={port} isConnectable={isConnectable} title={`Port ${port}`} style={HANDLE} />
            </div>
          ))}
        </div>
      ) : (
        <Handle type="source" position={Position.Right} id={ports[0] ?? DEFAULT_PORT} isConnectable={isConnectable} style={{ ...HANDLE, top: PADDING + 14 }} />
      )}
      <AddAfterButton title={title} source={step.id} ports={ports} />
    </Paper>
  );
});

/** Module-level, so React Flow never sees a new object (which would remount every node). */
export const nodeTypes = { trigger: TriggerNode, step: StepNode };
