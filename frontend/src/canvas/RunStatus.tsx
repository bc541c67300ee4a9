// A node's state in a run (the run page's live canvas): status, rows in → out, credits, error, progress.
import { Badge, Group, Progress, Stack, Text } from "@mantine/core";
import type { NodeRunState } from "./graph";

const STATUS_COLORS: Record<string, string> = {
  pending: "gray",
  queued: "gray",
  running: "blue",
  completed: "green",
  succeeded: "green",
  failed: "red",
  skipped: "yellow",
  cancelled: "orange",
};

export function runStatusColor(status: string): string {
  return STATUS_COLORS[status] ?? "gray";
}

const count = (value: number | null | undefined) => (value === null || value === undefined ? "–" : value.toLocaleString());

export function RunStatus({ run }: { run: NodeRunState }) {
  const color = runStatusColor(run.status);
  const progress = run.progress;
  return (
    <Stack gap={4} mt={6}>
      <Group gap={6} justify="space-between">
        <Badge size="xs" color={color} variant="light">
          {run.status}
        </Badge>
        {run.credits !== null && run.credits !== undefined && (
          <Text size="xs" c="dimmed">
            {run.credits.toLocaleString()} credits
          </Text>
        )}
      </Group>
      {(run.rows_in !== undefined || run.rows_out !== undefined) && (
        <Text size="xs" c="dimmed">
          rows {count(run.rows_in)} → {count(run.rows_out)}
        </Text>
      )}
      {progress && (
        <Stack gap={2}>
          <Progress
            size="sm"
            value={progress.total > 0 ? (progress.processed / progress.total) * 100 : 0}
            animated={run.status === "running"}
            aria-label="Processed conversations"
          />
          <Text size="xs" c="dimmed">
            {progress.processed.toLocaleString()} / {progress.total.toLocaleString()} · {progress.credits.toLocaleString()} credits
            {run.status === "running" ? " so far" : ""}
          </Text>
        </Stack>
      )}
      {run.error && (
        <Text size="xs" c="red" lineClamp={3} title={run.error}>
          {run.error}
        </Text>
      )}
    </Stack>
  );
}
