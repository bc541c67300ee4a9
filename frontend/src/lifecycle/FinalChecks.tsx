// The Final checks panel: every issue of the saved draft, grouped by node; clicking one selects its node.
import { Alert, Badge, Button, Group, Stack, Text, ThemeIcon, Title, UnstyledButton } from "@mantine/core";
import { useMemo } from "react";
import type { Issue, StepCatalog, WorkflowDocument } from "../client";
import { useEditor } from "../editor/context";
import { describeFields } from "../forms/schema";
import { issuePlace } from "../forms/issues";
import { FIX_BEFORE_PUBLISHING } from "./messages";
import { groupIssuesByNode, isSelectable, type IssueGroup } from "./issueGroups";

/** "Export name: Field required" rather than "steps[6].config.name": the field in the form's own words. */
function placeOf(issue: Issue, document: WorkflowDocument, catalog: StepCatalog): string | null {
  const index = /^steps\[(\d+)\]\.config/.exec(issue.path)?.[1];
  const step = index === undefined ? undefined : document.steps?.[Number(index)];
  const kind = step && catalog.steps.find((candidate) => candidate.type === step.type);
  return kind ? issuePlace(issue.path, describeFields(kind.config_schema)) : null;
}

function IssueText({ issue, place }: { issue: Issue; place: string | null }) {
  return (
    <>
      <Text size="sm">{place ? `${place}: ${issue.message}` : issue.message}</Text>
      {issue.path && (
        <Text size="xs" c="dimmed" ff="monospace">
          {issue.path}
        </Text>
      )}
    </>
  );
}

function IssueGroupView({
  group,
  onSelect,
  placeOf,
}: {
  group: IssueGroup;
  onSelect: ((node: string) => void) | null;
  placeOf: (issue: Issue) => string | null;
}) {
  return (
    <Stack gap={4} component="section" aria-label={group.label}>
      <Group gap="xs" justify="space-between" wrap="nowrap">
        <Text fw={600} size="sm">
          {group.label}
        </Text>
        <Badge color="red" variant="light" size="sm">
          {group.issues.length}
        </Badge>
      </Group>
      {group.issues.map((issue, index) =>
        onSelect ? (
          <UnstyledButton
            key={`${issue.path}-${index}`}
            onClick={() => onSelect(group.node as string)}
            px="xs"
            py={6}
            style={{ borderRadius: 4, background: "var(--mantine-color-red-0)" }}
            aria-label={`${group.label}: ${issue.message}`}
          >
            <IssueText issue={issue} place={placeOf(issue)} />
          </UnstyledButton>
        ) : (
          <Alert key={`${issue.path}-${index}`} color="red" variant="light" p="xs">
            <IssueText issue={issue} place={placeOf(issue)} />
          </Alert>
        ),
      )}
    </Stack>
  );
}

export function FinalChecks() {
  const { draft, selectNode, setPanel, catalog } = useEditor();
  const groups = useMemo(() => groupIssuesByNode(draft.issues, draft.document), [draft.issues, draft.document]);
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={4}>Final checks</Title>
        <Button size="xs" variant="subtle" onClick={() => setPanel({ kind: "none" })}>
          Close
        </Button>
      </Group>
      <Text size="sm">{FIX_BEFORE_PUBLISHING}</Text>
      {draft.saving && (
        <Text size="xs" c="dimmed">
          Saving… the checks update once the draft is saved.
        </Text>
      )}
      {groups.length === 0 ? (
        <Group gap="xs" role="status">
          <ThemeIcon color="green" variant="light" radius="xl" size="sm" aria-hidden>
            ✓
          </ThemeIcon>
          <Text size="sm">No issues: this workflow is ready to publish.</Text>
        </Group>
      ) : (
        <>
          <Text size="sm" c="red" role="status">
            {draft.issues.length === 1 ? "1 issue" : `${draft.issues.length} issues`} to fix
          </Text>
          {groups.map((group) => (
            <IssueGroupView
              key={group.node ?? "workflow"}
              group={group}
              onSelect={isSelectable(group.node, draft.document) ? selectNode : null}
              placeOf={(issue) => placeOf(issue, draft.document, catalog)}
            />
          ))}
        </>
      )}
    </Stack>
  );
}
