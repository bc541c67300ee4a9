// A step's panel: its title, id and description, its Final-checks issues, and its config form built from
// the step kind's JSON Schema. Every change replaces this step's config in the draft (unknown keys kept).
import { useMemo } from "react";
import { Code, Stack, Text } from "@mantine/core";
import type { Column } from "../client";
import { useEditor } from "../editor/context";
import { FormEnvContext, type FormEnv } from "../forms/FormEnv";
import { SchemaForm } from "../forms/SchemaForm";
import { describeFields } from "../forms/schema";
import { issuePlace } from "../forms/issues";
import { asRecord, withKey } from "../forms/values";
import { InputFrom } from "./InputFrom";
import { IssueList } from "./IssueList";
import { nodeIssues } from "./nodeIssues";
import { PanelFrame } from "./PanelFrame";
import { UnknownKeys } from "./UnknownKeys";
import { useChoices, type Choices } from "./useChoices";
import { useStepColumns } from "./useStepColumns";

/** The catalog's columns plus one `criterion.<name>` column per scorecard criterion of any pipeline. */
function columnsWithCriteria(columns: Column[], choices: Choices): Column[] {
  const names = new Set(columns.map((column) => column.name));
  const criteria: Column[] = [];
  for (const pipeline of choices.pipelines)
    for (const criterion of pipeline.criteria) {
      const name = `criterion.${criterion}`;
      if (!names.has(name)) {
        names.add(name);
        criteria.push({ name, kind: "text", analysis: true });
      }
    }
  return [...columns, ...criteria];
}

export function StepPanel({ stepId }: { stepId: string }) {
  const { draft, catalog, readOnly } = useEditor();
  const choices = useChoices();
  const step = draft.document.steps?.find((candidate) => candidate.id === stepId);
  const kind = catalog.steps.find((candidate) => candidate.type === step?.type);
  const fields = useMemo(() => (kind ? describeFields(kind.config_schema) : []), [kind]);
  const anyColumn = useMemo(() => columnsWithCriteria(catalog.columns, choices), [catalog.columns, choices]);
  const columns = useStepColumns(draft.document, stepId, anyColumn);

  if (!step) {
    return (
      <PanelFrame title="Step">
        <Text c="dimmed">This step is no longer in the workflow.</Text>
      </PanelFrame>
    );
  }

  const config = asRecord(step.config);
  const issues = nodeIssues(draft, stepId);
  const env: FormEnv = {
    shownWhen: kind?.shown_when ?? {},
    config,
    columns,
    pipelines: choices.pipelines.map((pipeline) => pipeline.name),
    integrations: choices.integrations.map((integration) => integration.name),
    issues,
    readOnly,
  };
  const change = (next: Record<string, unknown>) =>
    draft.update((document) => ({
      ...document,
      steps: (document.steps ?? []).map((candidate) => (candidate.id === stepId ? { ...candidate, config: next } : candidate)),
    }));

  return (
    <PanelFrame title={kind?.title ?? step.type}>
      <Stack gap={4}>
        <Text size="sm">
          Step id <Code>{step.id}</Code>
        </Text>
        {kind && (
          <Text size="sm" c="dimmed">
            {kind.description}
          </Text>
        )}
      </Stack>
      <IssueList issues={issues} placeOf={(issue) => issuePlace(issue.path, fields)} />
      {kind ? (
        <FormEnvContext.Provider value={env}>
          <Stack gap="md">
            {kind.takes_input && <InputFrom stepId={stepId} />}
            <SchemaForm fields={fields} value={config} onChange={change} path="" />
            <UnknownKeys
              keys={Object.keys(config).filter((key) => !fields.some((field) => field.key === key))}
              onRemove={(key) => change(withKey(config, key, undefined))}
              readOnly={readOnly}
            />
          </Stack>
        </FormEnvContext.Provider>
      ) : (
        <Text c="red">Unknown step type {step.type}.</Text>
      )}
    </PanelFrame>
  );
}
