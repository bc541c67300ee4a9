import { Handle, Position, type NodeProps } from "@xyflow/react";
import { Badge, Paper, Stack, Text } from "@mantine/core";
import { stepTitle, TRIGGER_PLACEHOLDER, triggerSummary, triggerTitle } from "../steps";
import { DEFAULT_PORT, type StepFlowNode, type TriggerFlowNode } from "./graph";

const NODE_WIDTH = 220;

export function TriggerNode({ data, selected }: NodeProps<TriggerFlowNode>) {
  const trigger = data.trigger;
  return (
    <Paper
      withBorder
      shadow={selected ? "md" : "xs"}
      p="sm"
      w={NODE_WIDTH}
      data-testid="trigger-node"
      style={{ borderStyle: trigger ? "solid" : "dashed", borderColor: selected ? "var(--mantine-color-blue-6)" : undefined }}
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
      </Stack>
      <Handle type="source" position={Position.Right} id={DEFAULT_PORT} />
    </Paper>
  );
}

export function StepNode({ data, selected }: NodeProps<StepFlowNode>) {
  const { step, ports } = data;
  const many = ports.length > 1;
  return (
    <Paper
      withBorder
      shadow={selected ? "md" : "xs"}
      p="sm"
      w={NODE_WIDTH}
      data-testid={`step-node-${step.id}`}
      mih={many ? 40 + ports.length * 22 : undefined}
      style={{ borderColor: selected ? "var(--mantine-color-blue-6)" : undefined, position: "relative" }}
    >
      <Handle type="target" position={Position.Left} />
      <Stack gap={2}>
        <Text fw={600} size="sm">
          {stepTitle(step.type)}
        </Text>
        <Text size="xs" c="dimmed">
          {step.id}
        </Text>
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
            <Handle type="source" position={Position.Right} id={port} title={many ? `Port ${port}` : undefined} style={many ? { top } : undefined} />
          </div>
        );
      })}
    </Paper>
  );
}

export const nodeTypes = { trigger: TriggerNode, step: StepNode };
