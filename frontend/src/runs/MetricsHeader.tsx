// The Runs tab's at-a-glance figures (guide: "Credits used, Average runtime, and the number of runs in progress,
// completed, failed, and cancelled").
import { Card, SimpleGrid, Text } from "@mantine/core";
import type { RunMetrics } from "../client/runs";
import { formatCredits, formatRuntime } from "./format";

function Figure({ label, value, color }: { label: string; value: string; color?: string }) {
  return (
    <Card withBorder padding="sm" radius="md" aria-label={label}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color}>
        {value}
      </Text>
    </Card>
  );
}

export function MetricsHeader({ metrics }: { metrics: RunMetrics }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm">
      <Figure label="Credits used" value={formatCredits(metrics.credits_used)} />
      <Figure label="Average runtime" value={formatRuntime(metrics.average_runtime_s)} />
      <Figure label="In progress" value={String(metrics.in_progress)} color={metrics.in_progress ? "blue" : undefined} />
      <Figure label="Completed" value={String(metrics.completed)} color={metrics.completed ? "green" : undefined} />
      <Figure label="Failed" value={String(metrics.failed)} color={metrics.failed ? "red" : undefined} />
      <Figure label="Cancelled" value={String(metrics.cancelled)} color={metrics.cancelled ? "orange" : undefined} />
    </SimpleGrid>
  );
}
