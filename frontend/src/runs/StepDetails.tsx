// Each step of the run in an accordion: status, timing, counts per port, credits, error, progress, tally, output
// preview, exports and outbox messages. The step picked on the canvas opens, scrolls into view and is outlined.
import { useEffect, useRef, useState } from "react";
import { Accordion, Alert, Badge, Group, Progress, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { runs as runsApi, type RunStep } from "../client/runs";
import { stepTitle } from "../steps";
import { formatCredits, formatRuntime, formatTime, secondsBetween } from "./format";
import { stepProgress } from "./liveRun";
import { cellText } from "./preview";
import { RunStatusBadge } from "./RunStatusBadge";
import { StepExports, StepMessages, type SendAgain } from "./StepDeliveries";
import { StepPreview, type Reasons } from "./StepPreview";
import type { RetryNotes } from "./useRetryNotes";

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Stack>
  );
}

function count(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : String(value);
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Stack gap={4}>
      <Title order={6}>{title}</Title>
      {children}
    </Stack>
  );
}

function StepProgressBar({ step }: { step: RunStep }) {
  const progress = stepProgress(step);
  if (!progress || progress.total <= 0) return null;
  const percent = Math.min(100, (progress.processed / progress.total) * 100);
  return (
    <Stack gap={2}>
      <Progress value={percent} animated={step.status === "running"} aria-label={`Progress of ${step.id}`} />
      <Text size="xs" c="dimmed">
        {progress.processed} / {progress.total} conversations processed · {formatCredits(progress.credits)} credits{step.status === "running" ? " so far" : ""}
      </Text>
    </Stack>
  );
}

function Tally({ tally }: { tally: Record<string, unknown> }) {
  const entries = Object.entries(tally);
  if (entries.length === 0) return null;
  return (
    <Table withTableBorder fz="xs" verticalSpacing={2} w="fit-content" aria-label="Tally">
      <Table.Tbody>
        {entries.map(([key, value]) => (
          <Table.Tr key={key}>
            <Table.Th>{key.replace(/_/g, " ")}</Table.Th>
            <Table.Td>{cellText(value)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function RetryLines({ stepId, notes }: { stepId: string; notes: string[] }) {
  if (notes.length === 0) return null;
  return (
    <Alert color="orange" title="Waiting to send" data-testid={`retry-${stepId}`}>
      <Stack gap={2}>
        {notes.map((note, index) => (
          <Text size="sm" key={index}>
            {note}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

/** Why each verdict of a Process Conversations step's preview rows, once it has them (fetched when opened). */
function useReasons(runId: string | undefined, step: RunStep, previewRows: number): Reasons | undefined {
  const [reasons, setReasons] = useState<Reasons | undefined>(undefined);
  const wanted = Boolean(runId) && step.type === "process_conversations" && step.status === "completed" && previewRows > 0;
  useEffect(() => {
    if (!runId || !wanted) return;
    const controller = new AbortController();
    runsApi.reasons(runId, step.id, controller.signal).then((found) => setReasons(found.data), () => undefined);
    return () => controller.abort();
  }, [runId, step.id, wanted]);
  return reasons;
}

function StepBody({
  step,
  sendAgain,
  retries,
  runId,
}: {
  step: RunStep;
  sendAgain?: SendAgain;
  retries: string[];
  runId?: string;
}) {
  const ports = Object.entries(step.outputs ?? {});
  const preview = step.preview ?? {};
  const reasons = useReasons(runId, step, Object.values(preview).reduce((sum, rows) => sum + rows.length, 0));
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }} spacing="xs">
        <Fact label="Status">
          <RunStatusBadge status={step.status} size="xs" />
        </Fact>
        <Fact label="Started">{formatTime(step.started_at)}</Fact>
        <Fact label="Finished">{formatTime(step.finished_at)}</Fact>
        <Fact label="Duration">{formatRuntime(secondsBetween(step.started_at, step.finished_at))}</Fact>
        <Fact label="Rows in">{count(step.rows_in)}</Fact>
        <Fact label="Rows out">{count(step.rows_out)}</Fact>
        <Fact label="Credits">{formatCredits(step.credits)}</Fact>
      </SimpleGrid>
      <StepProgressBar step={step} />
      <RetryLines stepId={step.id} notes={retries} />
      {step.error && (
        <Alert color="red" title="Error">
          {step.error}
        </Alert>
      )}
      {ports.length > 1 && (
        <Group gap={4}>
          <Text size="xs" c="dimmed">
            Outputs:
          </Text>
          {ports.map(([port, rows]) => (
            <Badge key={port} variant="outline" size="sm">
              {port}: {rows}
            </Badge>
          ))}
        </Group>
      )}
      {Object.keys(step.tally ?? {}).length > 0 && (
        <Section title="Tally">
          <Tally tally={step.tally} />
        </Section>
      )}
      {(step.exports ?? []).length > 0 && (
        <Section title="Exports">
          <StepExports exports={step.exports ?? []} />
        </Section>
      )}
      {(step.messages ?? []).length > 0 && (
        <Section title="Outbox messages">
          <StepMessages messages={step.messages ?? []} sendAgain={sendAgain} />
        </Section>
      )}
      {Object.keys(preview).length > 0 && (
        <Section title="Output preview">
          <StepPreview stepId={step.id} preview={preview} reasons={reasons} />
        </Section>
      )}
    </Stack>
  );
}

function summary(step: RunStep): string {
  const parts: string[] = [];
  if (step.rows_in !== null || step.rows_out !== null) parts.push(`${count(step.rows_in)} → ${count(step.rows_out)} rows`);
  if (step.credits) parts.push(`${formatCredits(step.credits)} credits`);
  return parts.join(" · ");
}

export function StepDetails({
  steps,
  open,
  onOpenChange,
  focus,
  sendAgain,
  retries = {},
  runId,
}: {
  steps: RunStep[];
  /** The run, for what a step's details fetch on their own (why each verdict). */
  runId?: string;
  /** Per step waiting on its emails: what each message waiting on a retry is doing. */
  retries?: RetryNotes;
  /** For editors: "Send now" on held or failed messages. */
  sendAgain?: SendAgain;
  open: string[];
  onOpenChange(open: string[]): void;
  /** The step picked on the canvas (a new object per pick). */
  focus: { stepId: string } | null;
}) {
  const items = useRef(new Map<string, HTMLDivElement>());
  useEffect(() => {
    if (focus) items.current.get(focus.stepId)?.scrollIntoView({ behavior: "smooth", block: "start" });
  }, [focus]);
  const highlighted = focus?.stepId ?? null;

  return (
    <Accordion multiple value={open} onChange={onOpenChange} variant="separated" chevronPosition="left">
      {steps.map((step) => (
        <Accordion.Item
          key={step.id}
          value={step.id}
          id={`step-${step.id}`}
          ref={(element: HTMLDivElement | null) => {
            if (element) items.current.set(step.id, element);
            else items.current.delete(step.id);
          }}
          style={highlighted === step.id ? { outline: "2px solid var(--mantine-color-blue-5)" } : undefined}
          data-testid={`step-details-${step.id}`}
        >
          {/* Named by what it shows (title, id, status, summary): a name apart from the visible text misleads voice
              control and screen readers alike (axe: label-content-name-mismatch). */}
          <Accordion.Control>
            <Group justify="space-between" wrap="nowrap" pr="sm">
              <Group gap="xs" wrap="nowrap">
                <Text fw={600}>{step.type ? stepTitle(step.type) : step.id}</Text>
                <Text size="sm" c="dimmed">
                  {step.id}
                </Text>
                <RunStatusBadge status={step.status} size="xs" />
              </Group>
              <Text
                size="xs"
                c={step.error ? "red" : retries[step.id]?.length ? "orange.8" : "dimmed"}
                lineClamp={1}
                data-testid={`step-summary-${step.id}`}
              >
                {step.error ?? retries[step.id]?.[0] ?? summary(step)}
              </Text>
            </Group>
          </Accordion.Control>
          <Accordion.Panel>
            <StepBody step={step} sendAgain={sendAgain} retries={retries[step.id] ?? []} runId={runId} />
          </Accordion.Panel>
        </Accordion.Item>
      ))}
    </Accordion>
  );
}
