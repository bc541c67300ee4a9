// The Settings tab: the guardrails — Call limit, Credits limit, what a firing does while a run is going — with the
// usage each limit is measured against. Empty means no limit. A viewer sees them read-only.
import { useEffect, useState } from "react";
import {
  Alert,
  Button,
  Center,
  Group,
  Loader,
  NumberInput,
  Paper,
  Progress,
  Select,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { workflows } from "../client";
import { lifecycle, type OverlapPolicy, type WorkflowSettings } from "../client/lifecycle";
import { useEditor } from "../editor/context";
import { problemMessage } from "../lifecycle/controls";
import {
  bodyFromForm,
  callUsage,
  errorsFromProblem,
  formatNumber,
  formFromSettings,
  validateForm,
  type FieldErrors,
  type SettingsForm,
} from "./form";

// The guide's words ("Set limits in Settings"), as full sentences.
export const CALL_LIMIT_DESCRIPTION =
  "Sets a maximum number of times this workflow can be triggered to prevent accidental loops or excessive activity.";
/** What counts as a call, said plainly: the guide's two sentences about the limit meet here. */
export const CALL_LIMIT_COUNTS =
  "Each run started counts 1 call, and each conversation it sends to a pipeline counts 1 more, over the last 24 hours. " +
  "Once the limit is reached, no new run starts and a run in progress stops processing more conversations.";

export const CREDITS_LIMIT_DESCRIPTION =
  "Lets you control your spending by setting a credit threshold. The workflow will automatically pause if it exceeds this amount.";

const OVERLAP_OPTIONS: { value: OverlapPolicy; label: string }[] = [
  { value: "queue", label: "Queue it (at most one run waits)" },
  { value: "skip", label: "Skip the firing" },
  { value: "parallel", label: "Run in parallel" },
];


/** How much of a limit is used, as text and a bar (no bar without a limit). */
function Usage({ label, used, limit }: { label: string; used: number; limit: number | null }) {
  const share = limit ? Math.min(100, (used / limit) * 100) : 0;
  return (
    <Stack gap={4}>
      <Text size="sm" c="dimmed">
        {label}: <b>{formatNumber(used)}</b>
        {limit !== null ? ` of ${formatNumber(limit)}` : " (no limit)"}
      </Text>
      {limit !== null && <Progress value={limit === 0 ? 100 : share} color={share >= 90 ? "red" : "blue"} size="sm" />}
    </Stack>
  );
}

export function SettingsTab({ workflowId }: { workflowId: string }) {
  const { readOnly, draft } = useEditor();
  const [settings, setSettings] = useState<WorkflowSettings | null>(null);
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    lifecycle.settings(workflowId, controller.signal).then(
      (loaded) => {
        setSettings(loaded);
        setForm(formFromSettings(loaded));
      },
      (caught: unknown) => {
        if (!controller.signal.aborted) setLoadError(problemMessage(caught));
      },
    );
    return () => controller.abort();
  }, [workflowId]);

  if (loadError) {
    return (
      <Alert m="lg" color="red" title="The settings could not be loaded">
        {loadError}
      </Alert>
    );
  }
  if (!settings || !form) {
    return (
      <Center p="xl">
        <Loader />
      </Center>
    );
  }

  const change = (patch: Partial<SettingsForm>) => {
    setForm({ ...form, ...patch });
    setSaved(false);
    // An edited field's old error no longer applies.
    setFieldErrors((current) => {
      const next = { ...current };
      for (const field of Object.keys(patch) as (keyof SettingsForm)[]) delete next[field];
      return next;
    });
  };

  const save = async () => {
    const invalid = validateForm(form);
    setFieldErrors(invalid);
    setGeneral(null);
    if (Object.keys(invalid).length > 0) return;
    setSaving(true);
    try {
      // The draft document carries the settings too, and saving it applies them: save pending canvas edits
      // first, then take the server's settings into the local draft (and its undo steps) so that neither a
      // later draft save nor an undo on the canvas brings the old limits back. The canvas's undo stays.
      await draft.flush();
      const next = await lifecycle.saveSettings(workflowId, bodyFromForm(form));
      setSettings(next);
      setForm(formFromSettings(next));
      setSaved(true);
      // Saved either way; a failed read only leaves the old limits in the local draft until the next load.
      const stored = await workflows.draft(workflowId).catch(() => null);
      if (stored) draft.adoptSettings(stored.settings);
    } catch (caught) {
      const { fields, general: message } = errorsFromProblem(caught);
      setFieldErrors(fields);
      setGeneral(message);
    } finally {
      setSaving(false);
    }
  };

  const since = settings.credits_limit_since ? new Date(settings.credits_limit_since).toLocaleString() : null;
  return (
    <Stack p="lg" gap="lg" maw={640}>
      <Title order={4}>Settings</Title>
      {readOnly && (
        <Text size="sm" c="dimmed">
          You can view these limits; an editor can change them.
        </Text>
      )}
      <Paper withBorder p="md">
        <Stack gap="sm">
          <NumberInput
            label="Call limit"
            description={CALL_LIMIT_DESCRIPTION}
            placeholder="No limit"
            min={0}
            allowDecimal={false}
            allowNegative={false}
            thousandSeparator=","
            value={form.callLimit}
            onChange={(value) => change({ callLimit: value })}
            error={fieldErrors.callLimit}
            readOnly={readOnly}
          />
          <Usage label="Calls in the last 24 hours" used={settings.calls_last_24h} limit={settings.call_limit} />
          <Text size="sm" data-testid="call-usage">
            {callUsage(settings.triggers_last_24h, settings.conversations_last_24h, settings.call_limit)}
          </Text>
          <Text size="xs" c="dimmed">
            {CALL_LIMIT_COUNTS}
          </Text>
        </Stack>
      </Paper>
      <Paper withBorder p="md">
        <Stack gap="sm">
          <NumberInput
            label="Credits limit"
            description={CREDITS_LIMIT_DESCRIPTION}
            placeholder="No limit"
            min={0}
            decimalScale={2}
            allowNegative={false}
            thousandSeparator=","
            value={form.creditsLimit}
            onChange={(value) => change({ creditsLimit: value })}
            error={fieldErrors.creditsLimit}
            readOnly={readOnly}
          />
          <Usage
            label={since ? `Credits spent since ${since}` : "Credits spent"}
            used={settings.credits_spent}
            limit={settings.credits_limit}
          />
        </Stack>
      </Paper>
      <Paper withBorder p="md">
        <Select
          label="When the trigger fires while a run is still going"
          description="Either way the firing is recorded."
          data={OVERLAP_OPTIONS}
          value={form.overlap}
          onChange={(value) => value && change({ overlap: value as OverlapPolicy })}
          allowDeselect={false}
          error={fieldErrors.overlap}
          readOnly={readOnly}
        />
      </Paper>
      {general && (
        <Alert color="red" title="The settings were not saved">
          {general}
        </Alert>
      )}
      {!readOnly && (
        <Group>
          <Button onClick={() => void save()} loading={saving}>
            Save
          </Button>
          {saved && (
            <Text size="sm" c="green" role="status">
              Saved. The limits apply at once.
            </Text>
          )}
        </Group>
      )}
    </Stack>
  );
}
