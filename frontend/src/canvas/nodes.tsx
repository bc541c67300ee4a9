// The canvas's node components: the trigger (or its placeholder) and a step. Memoised: with 200 steps, a node
// re-renders only when its own data, selection or position changes.
import { memo, type MouseEvent } from "react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { ActionIcon, Badge, Group, Menu, Paper, Stack, Text } from "@mantine/core";
import { stepTitle, TRIGGER_PLACEHOLDER, triggerSummary, triggerTitle } from "../steps";
import { useCanvasActions } from "./actions";
import { DEFAULT_PORT, NODE_WIDTH, TRIGGER_ID, refFor, type NodeRunState, type StepFlowNode, type TriggerFlowNode } from "./graph";
import { RunStatus, runStatusColor } from "./RunStatus";

function borderColor(selected: boolean, run: NodeRunState | undefined): string | undefined {
  if (run) return `var(--mantine-color-${runStatusColor(run.status)}-6)`;
  return selected ? "var(--mantine-color-blue-6)" : undefined;
}

const stop = (event: MouseEvent) => event.stopPropagation();

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

export const TriggerNode = memo(function TriggerNode({ data, selected, isConnectable }: NodeProps<TriggerFlowNode>) {
  const { trigger, run } = data;
  return (
    <Paper
      withBorder
      shadow={selected ? "md" : "xs"}
      p="sm"
      w={NODE_WIDTH}
      data-testid="trigger-node"
      style={{ borderStyle: trigger ? "solid" : "dashed", borderColor: borderColor(selected, run), borderWidth: run ? 2 : undefined }}
    >
      <Stack gap={2}>
        <Badge size="xs" variant="light" color="grape">
          Trigger
        </Badge>
        {trigger ? (
          <>
            <Text fw={600} size="sm">
              {triggerTitle(trigger)}
            </Text>
            <Text size="xs" c="dimmed">
              {triggerSummary(trigger)}
            </Text>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            {TRIGGER_PLACEHOLDER}
          </Text>
        )}
        {run && <RunStatus run={run} />}
      </Stack>
      {/* Nothing flows from a trigger not chosen yet. */}
      <Handle type="source" position={Position.Right} id={DEFAULT_PORT} isConnectable={isConnectable && !!trigger} />
      {trigger && <AddAfterButton title={triggerTitle(trigger)} source={TRIGGER_ID} ports={[DEFAULT_PORT]} />}
    </Paper>
  );
});

export const StepNode = memo(function StepNode({ data, selected, isConnectable }: NodeProps<StepFlowNode>) {
  const { step, ports, run, issueCount } = data;
  const many = ports.length > 1;
  const title = stepTitle(step.type);
  return (
    <Paper
      withBorder
      shadow={selected ? "md" : "xs"}
      p="sm"
      w={NODE_WIDTH}
      data-testid={`step-node-${step.id}`}
      mih={many ? 40 + ports.length * 22 : undefined}
      style={{ borderColor: borderColor(selected, run), borderWidth: run ? 2 : undefined, position: "relative" }}
    >
      {/* Handles follow the canvas: a viewer's (or a run's) cannot start or take a line. */}
      <Handle type="target" position={Position.Left} isConnectable={isConnectable} />
      <Stack gap={2} pr={many ? 36 : 0}>
        <Group gap={6} justify="space-between" wrap="nowrap">
          <Text fw={600} size="sm">
            {title}
          </Text>
          {!!issueCount && (
            <Badge
              size="sm"
              circle
              color="red"
              variant="filled"
              style={{ flexShrink: 0 }}
              aria-label={`${issueCount} ${issueCount === 1 ? "issue" : "issues"}`}
              title={`${issueCount} ${issueCount === 1 ? "issue" : "issues"}: see Final checks`}
            >
              {issueCount}
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed">
          {step.id}
        </Text>
        {run && <RunStatus run={run} />}
      </Stack>
      {ports.map((port, index) => {
        const top = `${((index + 1) / (ports.length + 1)) * 100}%`;
        return (
          <div key={port}>
            {many && (
              <Text size="xs" c="dimmed" style={{ position: "absolute", right: 10, top, transform: "translateY(-50%)" }}>
                {port}
              </Text>
            )}
            <Handle type="source" position={Position.Right} id={port} isConnectable={isConnectable} title={many ? `Port ${port}` : undefined} style={many ? { top } : undefined} />
          </div>
        );
      })}
      <AddAfterButton title={title} source={step.id} ports={ports} />
    </Paper>
  );
});

/** Module-level, so React Flow never sees a new object (which would remount every node). */
export const nodeTypes = { trigger: TriggerNode, step: StepNode };
