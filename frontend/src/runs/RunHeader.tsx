// The run page's header: "Run #n", its status, test marker, "Back to runs", the actions, and the run's figures.
import { Link } from "react-router";
import { Alert, Anchor, Card, Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import type { Run } from "../client/runs";
import { formatCredits, formatRuntime, formatTime, syncFailure, triggerLabel } from "./format";
import { RunActions } from "./RunActions";
import { LimitMarker, RunStatusBadge, TestMarker } from "./RunStatusBadge";

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Stack>
  );
}

export function RunHeader({
  run,
  workflowId,
  readOnly,
  onChanged,
  onRerun,
}: {
  run: Run;
  workflowId: string;
  readOnly: boolean;
  onChanged(): Promise<void>;
  onRerun(): void;
}) {
  const failure = syncFailure(run);
  return (
    <Stack gap="sm">
      <Anchor component={Link} to={`/workflows/${encodeURIComponent(workflowId)}/runs`} size="sm">
        Back to runs
      </Anchor>
      <Group justify="space-between" align="flex-start">
        <Group gap="sm">
          <Title order={2}>Run #{run.number}</Title>
          <RunStatusBadge status={run.status} size="lg" />
          {run.test && <TestMarker size="lg" />}
          {run.limit_stop && <LimitMarker limitStop={run.limit_stop} size="lg" />}
        </Group>
        {!readOnly && <RunActions run={run} onChanged={onChanged} onRerun={onRerun} />}
      </Group>
      {run.error && (
        <Alert color="red" title="The run failed">
          {run.error}
        </Alert>
      )}
      {failure && (
        <Alert color="orange" title={`The sync of ${failure.integration ?? "the integration"} failed`} data-testid="sync-failure">
          {failure.error}
        </Alert>
      )}
      {run.limit_stop && (
        <Alert color="orange" title="Cut short by a limit" data-testid="limit-stop">
          {run.limit_stop.message}
        </Alert>
      )}
      <Card withBorder padding="sm" radius="md">
        <SimpleGrid cols={{ base: 2, sm: 4, lg: 8 }} spacing="sm">
          <Fact label="Trigger">{triggerLabel(run.trigger.type, run.test)}</Fact>
          <Fact label="Version">{run.version === null ? "Draft" : `Version ${run.version}`}</Fact>
          <Fact label="Started">{formatTime(run.started_at)}</Fact>
          <Fact label="Finished">{formatTime(run.finished_at)}</Fact>
          <Fact label="Runtime">{formatRuntime(run.runtime_s)}</Fact>
          <Fact label="Credits used">{formatCredits(run.credits)}</Fact>
          <Fact label="Conversations processed">{run.conversations_processed}</Fact>
          <Fact label="Queued">{formatTime(run.created_at)}</Fact>
        </SimpleGrid>
      </Card>
    </Stack>
  );
}

