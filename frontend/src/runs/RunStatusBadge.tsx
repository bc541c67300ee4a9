// A run's or step's status as a colored badge, with a test run's marker beside it when asked.
import { Badge, Group } from "@mantine/core";
import { statusColor, statusLabel } from "./format";

export function RunStatusBadge({ status, size = "sm" }: { status: string; size?: "xs" | "sm" | "md" | "lg" }) {
  return (
    <Badge color={statusColor(status)} variant="light" size={size}>
      {statusLabel(status)}
    </Badge>
  );
}

export function TestMarker({ size = "sm" }: { size?: "xs" | "sm" | "md" | "lg" }) {
  return (
    <Badge color="violet" variant="outline" size={size}>
      Test run
    </Badge>
  );
}

export function StatusWithMarker({ status, test }: { status: string; test: boolean }) {
  return (
    <Group gap={4} wrap="nowrap">
      <RunStatusBadge status={status} />
      {test && <TestMarker size="xs" />}
    </Group>
  );
}
