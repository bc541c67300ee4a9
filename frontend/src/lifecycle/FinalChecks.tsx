// The Final checks panel: every issue of the draft at once, grouped by node; clicking one selects its node. When the
// last edit could not be saved (a trigger that does not parse), the server's refusal lists every issue of the
// workflow as edited — the trigger's and the steps' — and those are shown instead of the last saved draft's.
import { Alert, Badge, Button, Group, Stack, Text, ThemeIcon, Title, UnstyledButton } from "@mantine/core";
import { useMemo } from "react";
import { ApiError, type Issue, type StepCatalog, type WorkflowDocument } from "../client";
import { useEditor } from "../editor/context";
import { describeFields } from "../forms/schema";
import { issuePlace, issueText } from "../forms/issues";
import { FIX_BEFORE_PUBLISHING } from "./messages";
import { groupIssuesByNode, isSelectable, type IssueGroup } from "./issueGroups";

/** Where an issue is in the form's own words ("Groups › #1 › Group name"), for messages that do not name it. */
function placeOf(issue: Issue, document: WorkflowDocument, catalog: StepCatalog): string | null {
  const index = /^steps\[(\d+)\]\.config/.exec(issue.path)?.[1];
  const step = index === undefined ? undefined : document.steps?.[Number(index)];
  const kind = step && catalog.steps.find((candidate) => candidate.type === step.type);
  return kind ? issuePlace(issue.path, describeFields(kind.config_schema)) : null;
}

function IssueText({ issue, place }: { issue: Issue; place: string | null }) {
  return <Text size="sm">{issueText(issue.message, place)}</Text>;
}

/** The issues to list: a refused edit's (every issue of the workflow as edited), else the saved draft's. */
function currentIssues(saved: Issue[], saveError: Error | null): Issue[] {
  return saveError instanceof ApiError && saveError.errors.length > 0 ? saveError.errors : saved;
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
  const issues = currentIssues(draft.issues, draft.saveError);
  const groups = useMemo(() => groupIssuesByNode(issues, draft.document), [issues, draft.document]);
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
            {issues.length === 1 ? "1 issue" : `${issues.length} issues`} to fix
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
