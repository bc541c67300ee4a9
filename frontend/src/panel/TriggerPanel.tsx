// The trigger node's panel: pick a trigger, edit it (integration, or the schedule), Change trigger (which
// clears the steps, after the guide's warning) and Clear trigger (both done by the server on the draft).
import { useState } from "react";
import { Alert, Button, Group, Select, Stack, Text } from "@mantine/core";
import { ApiError, type Trigger } from "../client";
import { panelApi } from "../client/panel";
import { ConfirmModal } from "../components/ConfirmModal";
import { useEditor } from "../editor/context";
import { TRIGGER_PLACEHOLDER, triggerTitle } from "../steps";
import { IssueList } from "./IssueList";
import { nodeIssues } from "./nodeIssues";
import { PanelFrame } from "./PanelFrame";
import { ScheduleFields } from "./ScheduleFields";
import { TriggerPicker } from "./TriggerPicker";
import { isSyncTrigger, newTrigger } from "./schedule";
import { useChoices } from "./useChoices";

export const CHANGE_TRIGGER_WARNING = "Changing the trigger will clear the current workflow steps, Are you sure you want to change?";
const CLEAR_TRIGGER_WARNING = "Clearing the trigger will clear the current workflow steps too. Are you sure you want to clear it?";
const ANY_INTEGRATION = "__any__";

function messageOf(caught: unknown): string {
  if (caught instanceof ApiError) return caught.errors.map((issue) => issue.message).join("; ") || caught.detail || caught.title;
  return caught instanceof Error ? caught.message : String(caught);
}

export function TriggerPanel() {
  const { draft, readOnly, workflow } = useEditor();
  const trigger = draft.document.trigger ?? null;
  const hasSteps = (draft.document.steps?.length ?? 0) > 0;
  const [picking, setPicking] = useState(false);
  const [confirm, setConfirm] = useState<"change" | "clear" | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const issues = nodeIssues(draft, "trigger");

  /** A server-side change of the draft: save what is pending first, then take the server's document. */
  const onServer = async (call: () => Promise<{ document: typeof draft.document; issues: typeof draft.issues }>) => {
    setBusy(true);
    setError(null);
    try {
      await draft.flush();
      const answer = await call();
      draft.replace(answer.document, answer.issues);
      setPicking(false);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  const pick = (type: string) => {
    const next = newTrigger(type);
    if (trigger || hasSteps) return void onServer(() => panelApi.changeTrigger(workflow.id, next, true));
    draft.update((document) => ({ ...document, trigger: next }));
    setPicking(false);
  };

  const updateTrigger = (next: Trigger) =>
    draft.update((document) => (document.trigger ? { ...document, trigger: next } : document));

  const showPicker = !readOnly && (!trigger || picking);
  return (
    <PanelFrame title={showPicker ? TRIGGER_PLACEHOLDER : trigger ? triggerTitle(trigger) : "Trigger"}>
      {error && (
        <Alert color="red" title="The trigger could not be changed" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {showPicker ? (
        <Stack gap="sm">
          <TriggerPicker onPick={pick} busy={busy} />
          {picking && (
            <Button variant="subtle" onClick={() => setPicking(false)}>
              Cancel
            </Button>
          )}
        </Stack>
      ) : trigger ? (
        <Stack gap="md">
          <IssueList issues={issues} />
          <TriggerFields trigger={trigger} onChange={updateTrigger} readOnly={readOnly} />
          {!readOnly && (
            <Group gap="xs">
              <Button variant="default" loading={busy} onClick={() => (hasSteps ? setConfirm("change") : setPicking(true))}>
                Change trigger
              </Button>
              <Button variant="default" color="red" loading={busy} onClick={() => (hasSteps ? setConfirm("clear") : void onServer(() => panelApi.clearTrigger(workflow.id)))}>
                Clear trigger
              </Button>
            </Group>
          )}
        </Stack>
      ) : (
        <Text c="dimmed">No trigger yet.</Text>
      )}
      <ConfirmModal
        opened={confirm === "change"}
        title="Change trigger"
        confirmLabel="Yes, change"
        color="red"
        onConfirm={async () => setPicking(true)}
        onClose={() => setConfirm(null)}
      >
        <Text>{CHANGE_TRIGGER_WARNING}</Text>
      </ConfirmModal>
      <ConfirmModal
        opened={confirm === "clear"}
        title="Clear trigger"
        confirmLabel="Yes, clear"
        color="red"
        // The dialog closes at once; the panel shows the clearing and any failure, as for a change.
        onConfirm={async () => void onServer(() => panelApi.clearTrigger(workflow.id))}
        onClose={() => setConfirm(null)}
      >
        <Text>{CLEAR_TRIGGER_WARNING}</Text>
      </ConfirmModal>
    </PanelFrame>
  );
}

function TriggerFields({ trigger, onChange, readOnly }: { trigger: Trigger; onChange(trigger: Trigger): void; readOnly: boolean }) {
  if (trigger.type === "schedule") return <ScheduleFields trigger={trigger} onChange={onChange} readOnly={readOnly} />;
  if (isSyncTrigger(trigger.type)) return <IntegrationField trigger={trigger} onChange={onChange} readOnly={readOnly} />;
  return <Text size="sm">Runs only when started with Run now.</Text>;
}

function IntegrationField({ trigger, onChange, readOnly }: { trigger: Trigger; onChange(trigger: Trigger): void; readOnly: boolean }) {
  const { integrations } = useChoices();
  const names = integrations.map((integration) => integration.name);
  if (trigger.integration && !names.includes(trigger.integration)) names.push(trigger.integration);
  return (
    <Select
      label="Integration"
      description="The connected source whose syncs start this workflow."
      data={[{ value: ANY_INTEGRATION, label: "Any integration" }, ...names.map((name) => ({ value: name, label: name }))]}
      value={trigger.integration || ANY_INTEGRATION}
      onChange={(value) => {
        const { integration: _old, ...rest } = trigger;
        onChange(!value || value === ANY_INTEGRATION ? (rest as Trigger) : { ...rest, integration: value });
      }}
      allowDeselect={false}
      disabled={readOnly}
    />
  );
}
