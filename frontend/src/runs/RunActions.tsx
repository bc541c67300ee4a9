// "Cancel run" for a queued or running run (after a confirmation) and "Re-run from failed step" for a failed
// one (opens the new run). Hidden from viewers.
import { useState } from "react";
import { useNavigate } from "react-router";
import { Alert, Button, Group, Text } from "@mantine/core";
import { ApiError } from "../client/http";
import { problemMessage } from "../client/problem";
import { runs as runsApi, type Run } from "../client/runs";
import { ConfirmModal } from "../components/ConfirmModal";
import { cancelTooLate, runInProgress } from "./liveRun";
import { runPath } from "./RunsTable";

export function RunActions({
  run,
  onChanged,
  onRerun,
}: {
  run: Run;
  onChanged(): Promise<void>;
  /** The re-run is the same run going on: follow its feed again. */
  onRerun(): void;
}) {
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  /** Cancel; when the run ended first (409), say so and close, rather than keep the dialog with the refusal. */
  const cancel = async () => {
    try {
      await runsApi.cancel(run.id);
    } catch (caught) {
      if (!(caught instanceof ApiError) || caught.status !== 409) throw caught;
      const now = await runsApi.get(run.id);
      const late = cancelTooLate(now);
      if (!late) throw caught;
      setNotice(late);
    }
    await onChanged();
  };

  const rerun = async () => {
    setBusy(true);
    setError(null);
    try {
      const next = await runsApi.rerun(run.id);
      // The server re-runs the failed run itself (same id); should it ever answer a new run, open that one.
      if (next.id === run.id) onRerun();
      else navigate(runPath(next.workflow_id, next.id));
    } catch (caught) {
      setError(problemMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Group gap="xs">
        {runInProgress(run.status) && (
          <Button color="red" variant="light" onClick={() => setConfirming(true)}>
            Cancel run
          </Button>
        )}
        {run.status === "failed" && (
          <Button onClick={() => void rerun()} loading={busy}>
            Re-run from failed step
          </Button>
        )}
      </Group>
      {error && (
        <Alert color="red" mt="xs" title="That did not work" withCloseButton onClose={() => setError(null)}>
          {error}
        </Alert>
      )}
      {notice && (
        <Alert color="blue" mt="xs" title="Already finished" withCloseButton onClose={() => setNotice(null)} data-testid="cancel-too-late">
          {notice}
        </Alert>
      )}
      <ConfirmModal
        opened={confirming}
        title="Cancel run"
        confirmLabel="Cancel run"
        cancelLabel="Keep running"
        color="red"
        onConfirm={cancel}
        onClose={() => setConfirming(false)}
      >
        <Text size="sm">
          Cancel Run #{run.number}? It starts no new batch and spends no more credits; steps still pending are
          cancelled and unsent messages are held.
        </Text>
      </ConfirmModal>
    </>
  );
}
