// The workflow header's controls: Final checks, Publish / Pause / Resume, Edit workflow, Run now, Test run and
// Workflow versions. Each state change is confirmed first and ends by reloading the workflow (status, notice).
import { useEffect, useRef, useState } from "react";
import { useLocation, useNavigate } from "react-router";
import { Alert, Badge, Button, Group, List, Modal, Stack, Text, Tooltip } from "@mantine/core";
import { ApiError, workflows, type Issue } from "../client";
import { lifecycle } from "../client/lifecycle";
import { useEditor } from "../editor/context";
import { ConfirmModal } from "../components/ConfirmModal";
import { estimates } from "../client/estimate";
import { estimateSummary, limitWarning, lifecycleControls, problemMessage } from "./controls";
import { nodeLabel } from "./issueGroups";
import { EDIT_NOTE, PAUSE_NOTE, PUBLISH_NOTE, PUBLISH_QUESTION, PUBLISH_REFUSED, RESUME_NOTE, RUN_REFUSED } from "./messages";
import { VersionsDrawer } from "./VersionsDrawer";

type Dialog = "publish" | "pause" | "resume" | "edit";

/** A failed action outside a confirmation (publish refused, a run that did not start). */
interface Failure {
  title: string;
  message: string;
  issues: Issue[];
}

export function LifecycleBar() {
  const { workflow, reloadWorkflow, draft, readOnly, setPanel } = useEditor();
  const navigate = useNavigate();
  const location = useLocation();
  const [dialog, setDialog] = useState<Dialog | null>(null);
  // What the publish dialog warns about: a run as estimated that a limit would cut short (null: it fits).
  const [warning, setWarning] = useState<string | null>(null);
  // What a run would take ("About 57 conversations and 57 credits per run."), when the estimate answered.
  const [summary, setSummary] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [checking, setChecking] = useState(false);
  const [starting, setStarting] = useState<"run" | "test" | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const controls = lifecycleControls(workflow, readOnly);

  // A saved edit of a published workflow's draft makes it "Unpublished Changes" on the server: show it now, not at
  // the next reload. Each save that ends (saving true → false) fetches the workflow once.
  const wasSaving = useRef(false);
  const published = workflow.state !== "draft";
  useEffect(() => {
    if (wasSaving.current && !draft.saving && published) reloadWorkflow().catch(() => undefined);
    wasSaving.current = draft.saving;
  }, [draft.saving, published, reloadWorkflow]);
  const base = `/workflows/${encodeURIComponent(workflow.id)}`;

  /** The Final checks panel lives in the Editor tab: go there first when another tab is showing. */
  const openChecks = () => {
    if (location.pathname !== base) navigate(base);
    setPanel({ kind: "checks" });
  };

  const refuse = (issues: Issue[]) => {
    setFailure({ title: "Publish workflow", message: PUBLISH_REFUSED, issues });
    openChecks();
  };

  // Publish only what is saved, and only once Final checks pass: else the guide's refusal and the checks panel.
  const startPublish = async () => {
    setChecking(true);
    try {
      await draft.flush();
      const report = await workflows.issues(workflow.id);
      if (report.issues.length > 0) refuse(report.issues);
      else {
        // The estimate is a courtesy: without it the dialog still opens, just without a warning.
        const found = await estimates.get(workflow.id).then(
          (answer) => answer.draft,
          () => null,
        );
        setWarning(found ? limitWarning(found) : null);
        setSummary(found ? estimateSummary(found) : null);
        setDialog("publish");
      }
    } catch (caught) {
      setFailure({ title: "Publish workflow", message: problemMessage(caught), issues: [] });
    } finally {
      setChecking(false);
    }
  };

  const publish = async () => {
    try {
      await lifecycle.publish(workflow.id);
    } catch (caught) {
      if (caught instanceof ApiError && caught.isValidation && caught.errors.length > 0) {
        setDialog(null);
        refuse(caught.errors);
        return;
      }
      throw caught;
    }
    await reloadWorkflow();
  };

  const edit = async () => {
    await lifecycle.edit(workflow.id);
    await Promise.all([draft.reload(), reloadWorkflow()]);
  };

  const startRun = async (test: boolean) => {
    setStarting(test ? "test" : "run");
    try {
      await draft.flush();
      const run = await lifecycle.startRun(workflow.id, test);
      navigate(`${base}/runs/${encodeURIComponent(run.id)}`);
    } catch (caught) {
      const issues = caught instanceof ApiError ? caught.errors : [];
      const message = issues.length > 0 ? RUN_REFUSED : problemMessage(caught);
      setFailure({ title: test ? "Test run" : "Run now", message, issues });
      if (issues.length > 0) openChecks();
    } finally {
      setStarting(null);
    }
  };

  const pausedReason = workflow.state === "paused" ? workflow.paused_reason : null;
  return (
    <Group gap="xs" wrap="wrap" justify="flex-end">
      {pausedReason && (
        <Text size="xs" c="yellow.8" maw={260} lineClamp={2} title={pausedReason}>
          {pausedReason}
        </Text>
      )}
      <Button
        size="xs"
        variant="default"
        onClick={openChecks}
        rightSection={
          <Badge size="xs" circle color={draft.issues.length > 0 ? "red" : "green"} aria-label="issues">
            {draft.issues.length}
          </Badge>
        }
      >
        Final checks
      </Button>
      <Button size="xs" variant="default" onClick={() => setVersionsOpen(true)}>
        Workflow versions
      </Button>
      {controls.testRun && (
        <Tooltip label="Runs without charging credits or storing results" openDelay={500}>
          <Button size="xs" variant="default" loading={starting === "test"} onClick={() => void startRun(true)}>
            Test run
          </Button>
        </Tooltip>
      )}
      {controls.runNow && (
        <Button size="xs" variant="default" loading={starting === "run"} onClick={() => void startRun(false)}>
          Run now
        </Button>
      )}
      {controls.edit && (
        <Button size="xs" variant="default" onClick={() => setDialog("edit")}>
          Edit workflow
        </Button>
      )}
      {controls.pause && (
        <Button size="xs" variant="light" color="yellow" onClick={() => setDialog("pause")}>
          Pause workflow
        </Button>
      )}
      {controls.resume && (
        <Button size="xs" variant="light" color="green" onClick={() => setDialog("resume")}>
          Resume workflow
        </Button>
      )}
      {controls.publish && (
        <Button size="xs" loading={checking} onClick={() => void startPublish()}>
          Publish workflow
        </Button>
      )}

      <ConfirmModal
        opened={dialog === "publish"}
        title={PUBLISH_QUESTION}
        confirmLabel="Publish"
        onConfirm={publish}
        onClose={() => setDialog(null)}
      >
        <Stack gap="xs">
          <Text size="sm">{PUBLISH_NOTE}</Text>
          {summary && !warning && (
            <Alert color="blue" title="Each run, as estimated now" data-testid="publish-estimate">
              {summary}
            </Alert>
          )}
          {warning && (
            <Alert color="orange" title="A limit would cut runs short" data-testid="publish-limit-warning">
              {warning} You can change the limits in Settings.
            </Alert>
          )}
        </Stack>
      </ConfirmModal>
      <ConfirmModal
        opened={dialog === "pause"}
        title="Pause workflow"
        confirmLabel="Pause"
        color="yellow"
        onConfirm={async () => {
          await lifecycle.pause(workflow.id);
          await reloadWorkflow();
        }}
        onClose={() => setDialog(null)}
      >
        <Text size="sm">{PAUSE_NOTE}</Text>
      </ConfirmModal>
      <ConfirmModal
        opened={dialog === "resume"}
        title="Resume workflow"
        confirmLabel="Resume"
        color="green"
        onConfirm={async () => {
          await lifecycle.resume(workflow.id);
          await reloadWorkflow();
        }}
        onClose={() => setDialog(null)}
      >
        <Text size="sm">{RESUME_NOTE}</Text>
      </ConfirmModal>
      <ConfirmModal
        opened={dialog === "edit"}
        title="Edit workflow"
        confirmLabel="Edit workflow"
        onConfirm={edit}
        onClose={() => setDialog(null)}
      >
        <Stack gap="xs">
          <Text size="sm">{EDIT_NOTE}</Text>
          <Text size="sm" fw={500}>
            The draft's unpublished changes will be discarded.
          </Text>
        </Stack>
      </ConfirmModal>

      <Modal opened={failure !== null} onClose={() => setFailure(null)} title={failure?.title} centered>
        {failure && (
          <Stack gap="sm">
            <Alert color="red">{failure.message}</Alert>
            {failure.issues.length > 0 && (
              <List size="sm" spacing={2}>
                {failure.issues.map((issue, index) => (
                  <List.Item key={`${issue.path}-${index}`}>
                    <b>{nodeLabel(issue.node, draft.document)}:</b> {issue.message}
                  </List.Item>
                ))}
              </List>
            )}
            <Group justify="flex-end">
              <Button onClick={() => setFailure(null)}>OK</Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <VersionsDrawer
        workflowId={workflow.id}
        opened={versionsOpen}
        canActivate={controls.activate}
        onClose={() => setVersionsOpen(false)}
        onActivated={reloadWorkflow}
      />
    </Group>
  );
}
