// One published version, read-only: its trigger and steps (with their connections), and the whole document.
import { useEffect, useState } from "react";
import { Alert, Badge, Button, Code, Group, List, Loader, Stack, Text, Title } from "@mantine/core";
import { lifecycle, type VersionDocument } from "../client/lifecycle";
import { stepTitle, triggerSummary, triggerTitle } from "../steps";
import { problemMessage } from "./controls";

export function VersionView({ workflowId, number, onBack }: { workflowId: string; number: number; onBack(): void }) {
  const [version, setVersion] = useState<VersionDocument | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setVersion(null);
    setError(null);
    lifecycle.version(workflowId, number, controller.signal).then(setVersion, (caught: unknown) => {
      if (!controller.signal.aborted) setError(problemMessage(caught));
    });
    return () => controller.abort();
  }, [workflowId, number]);

  const back = (
    <Button variant="subtle" size="xs" onClick={onBack} style={{ alignSelf: "flex-start" }}>
      Back to versions
    </Button>
  );
  if (error) {
    return (
      <Stack>
        {back}
        <Alert color="red" title={`Version ${number} could not be loaded`}>
          {error}
        </Alert>
      </Stack>
    );
  }
  if (!version) return <Loader size="sm" />;

  const { document } = version;
  return (
    <Stack gap="sm" aria-label={`Version ${number}`}>
      {back}
      <Group gap="xs">
        <Title order={5}>Version {version.number}</Title>
        {version.active && (
          <Badge color="green" variant="light">
            Active
          </Badge>
        )}
      </Group>
      <Text size="sm">
        <b>Trigger:</b>{" "}
        {document.trigger ? `${triggerTitle(document.trigger)} ${triggerSummary(document.trigger)}`.trim() : "none"}
      </Text>
      <Text size="sm" fw={600}>
        Steps
      </Text>
      {(document.steps ?? []).length === 0 ? (
        <Text size="sm" c="dimmed">
          No steps
        </Text>
      ) : (
        <List size="sm" spacing={4}>
          {(document.steps ?? []).map((step) => (
            <List.Item key={step.id}>
              {stepTitle(step.type)} <Code>{step.id}</Code>
              {step.after && step.after.length > 0 && (
                <Text span size="xs" c="dimmed">
                  {" "}
                  after {step.after.join(", ")}
                </Text>
              )}
            </List.Item>
          ))}
        </List>
      )}
      <Text size="sm" fw={600}>
        Document
      </Text>
      <Code block style={{ maxHeight: 400, overflow: "auto" }}>
        {JSON.stringify(document, null, 2)}
      </Code>
    </Stack>
  );
}
