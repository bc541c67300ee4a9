// A pipeline's definition as a form: stages, sentiment thresholds, prices and the scorecard. "Save" sends it with
// PUT: the server makes a new version only when something changed ("Saved as version N" / "No changes"); a 422
// puts each issue on its field.
import { useState } from "react";
import { Alert, Button, Fieldset, Group, Stack, Text, Textarea } from "@mantine/core";
import { ApiError } from "../client/http";
import { pipelinesApi, type PipelineDefinition } from "../client/pipelines";
import { fieldErrors, toBody, toForm, type PipelineForm } from "./definitionForm";
import { errorText } from "./format";
import { PricesFields, SentimentFields, StagesFields } from "./SettingsFields";
import { ScorecardEditor } from "./ScorecardEditor";

type Outcome = { kind: "saved"; version: number } | { kind: "unchanged" } | { kind: "failed"; message: string };

export function PipelineEditor({
  definition,
  readOnly,
  onSaved,
}: {
  definition: PipelineDefinition;
  readOnly: boolean;
  onSaved: () => void;
}) {
  const [form, setForm] = useState<PipelineForm>(() => toForm(definition));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  // New prices for a pipeline live workflows use: the server names them; saving again confirms.
  const [reprice, setReprice] = useState<string | null>(null);

  const update = (patch: Partial<PipelineForm>) => {
    setForm((current) => ({ ...current, ...patch }));
    setOutcome(null);
  };

  async function save(confirm = false) {
    setBusy(true);
    setErrors({});
    setOutcome(null);
    setReprice(null);
    try {
      const saved = await pipelinesApi.update(form.name, toBody(form), confirm);
      setOutcome(saved.changed ? { kind: "saved", version: saved.version } : { kind: "unchanged" });
      if (saved.changed) onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setReprice(errorText(error));
      } else {
        if (error instanceof ApiError && error.isValidation) setErrors(fieldErrors(error.errors));
        setOutcome({ kind: "failed", message: errorText(error) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack gap="md" maw={1000}>
      <Fieldset legend="Description" disabled={readOnly}>
        <Textarea
          aria-label="Description"
          autosize
          minRows={2}
          value={form.description}
          onChange={(event) => update({ description: event.currentTarget.value })}
          error={errors.description}
        />
      </Fieldset>
      <Group align="stretch" grow>
        <StagesFields stages={form.stages} onChange={(stages) => update({ stages })} readOnly={readOnly} />
        <SentimentFields
          sentiment={form.sentiment}
          onChange={(sentiment) => update({ sentiment })}
          errors={errors}
          readOnly={readOnly}
        />
        <PricesFields prices={form.prices} onChange={(prices) => update({ prices })} errors={errors} readOnly={readOnly} />
      </Group>
      <ScorecardEditor
        scorecard={form.scorecard}
        onChange={(scorecard) => update({ scorecard })}
        errors={errors}
        readOnly={readOnly}
      />
      {reprice && (
        <Alert color="orange" title="Live workflows use this pipeline" data-testid="reprice-warning">
          <Stack gap="xs">
            <Text size="sm">{reprice}</Text>
            <Group>
              <Button size="xs" color="orange" loading={busy} onClick={() => void save(true)}>
                Save the new prices
              </Button>
              <Button size="xs" variant="default" onClick={() => setReprice(null)}>
                Keep editing
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      {!readOnly && (
        <Group>
          <Button onClick={() => void save()} loading={busy}>
            Save
          </Button>
          {outcome?.kind === "saved" && (
            <Text c="green" role="status">
              Saved as version {outcome.version}
            </Text>
          )}
          {outcome?.kind === "unchanged" && (
            <Text c="dimmed" role="status">
              No changes
            </Text>
          )}
        </Group>
      )}
      {outcome?.kind === "failed" && (
        <Alert color="red" title="The pipeline was not saved">
          {outcome.message}
        </Alert>
      )}
    </Stack>
  );
}
