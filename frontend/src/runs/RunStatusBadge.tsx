// A run's or step's status as a colored badge, with a test run's marker beside it when asked, and a limit's when one cut
// the run short.
import { Badge, Group, Tooltip } from "@mantine/core";
import type { LimitStop } from "../client/runs";
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

/** "Credits limit" / "Call limit": the run completed, but the limit left conversations unprocessed (the sentence on hover). */
export function LimitMarker({ limitStop, size = "sm" }: { limitStop: LimitStop; size?: "xs" | "sm" | "md" | "lg" }) {
  return (
    <Tooltip label={limitStop.message}>
      <Badge color="orange" variant="outline" size={size} aria-label={limitStop.message}>
        {limitStop.limit === "credits_limit" ? "Credits limit" : "Call limit"}
      </Badge>
    </Tooltip>
  );
}

export function StatusWithMarker({
  status,
  test,
  limitStop = null,
}: {
  status: string;
  test: boolean;
  limitStop?: LimitStop | null;
}) {
  return (
    <Group gap={4} wrap="nowrap">
      <RunStatusBadge status={status} />
      {test && <TestMarker size="xs" />}
      {limitStop && <LimitMarker limitStop={limitStop} size="xs" />}
    </Group>
  );
}
