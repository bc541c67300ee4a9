// One run (/workflows/:id/runs/:runId, the link in alert emails): the header, the run live on the canvas, and
// each step's details. Clicking a node opens and scrolls to its step.
import { useCallback, useMemo, useState } from "react";
import { Link } from "react-router";
import { Alert, Anchor, Center, Loader, Stack, Title } from "@mantine/core";
import { ApiError } from "../client/http";
import { runs } from "../client/runs";
import { useEditor } from "../editor/context";
import { TRIGGER_ID } from "../canvas/graph";
import { RunCanvas } from "./RunCanvas";
import { canSendAgain, showSending } from "./deliveries";
import { RunHeader } from "./RunHeader";
import type { SendAgain } from "./StepDeliveries";
import { StepDetails } from "./StepDetails";
import { useLiveRun } from "./useLiveRun";
import { useRunDocument } from "./useRunDocument";
import { useRetryNotes } from "./useRetryNotes";
import { RunDistributionChart } from "./RunDistributionChart";

function message(error: Error): string {
  return error instanceof ApiError ? (error.detail ?? error.title) : error.message;
}

export function RunPage({ workflowId, runId }: { workflowId: string; runId: string }) {
  const { draft, readOnly } = useEditor();
  const { run, error, refresh, follow } = useLiveRun(runId);
  const { document, error: documentError } = useRunDocument(workflowId, run?.version, draft.document);
  const retries = useRetryNotes(run);
  const [open, setOpen] = useState<string[]>([]);
  // A new object per click, so clicking the same node again scrolls to it again.
  const [focus, setFocus] = useState<{ stepId: string } | null>(null);

  const runStatus = run?.status;
  const sendAgain = useMemo<SendAgain | undefined>(() => {
    if (readOnly || !runStatus) return undefined;
    return {
      offered: (message) => canSendAgain(message, runStatus),
      send: async (messageId) => {
        await runs.sendAgain(messageId);
        await showSending(refresh);
      },
    };
  }, [readOnly, runStatus, refresh]);

  const pick = useCallback((nodeId: string) => {
    if (nodeId === TRIGGER_ID) return; // the trigger's figures are the header's
    setOpen((current) => (current.includes(nodeId) ? current : [...current, nodeId]));
    setFocus({ stepId: nodeId });
  }, []);

  if (!run) {
    if (error) {
      const notFound = error instanceof ApiError && error.isNotFound;
      return (
        <Stack p="lg">
          <Alert color="red" title={notFound ? "Run not found" : "The run could not be loaded"}>
            {message(error)}
          </Alert>
          <Anchor component={Link} to={`/workflows/${encodeURIComponent(workflowId)}/runs`}>
            Back to runs
          </Anchor>
        </Stack>
      );
    }
    return (
      <Center py="xl">
        <Loader />
      </Center>
    );
  }

  return (
    <Stack p="lg" gap="md">
      <RunHeader run={run} workflowId={workflowId} readOnly={readOnly} onChanged={refresh} onRerun={follow} />
      {error && (
        <Alert color="orange" title="Live updates interrupted">
          {message(error)}
        </Alert>
      )}
      {documentError ? (
        <Alert color="orange" title="The run's version could not be loaded">
          {message(documentError)}
        </Alert>
      ) : document ? (
        <RunCanvas document={document} run={run} selected={focus?.stepId ?? null} onSelect={pick} />
      ) : (
        <Center h={420}>
          <Loader />
        </Center>
      )}
      <RunDistributionChart run={run} />
      <Title order={4}>Steps</Title>
      <StepDetails
        steps={run.steps}
        open={open}
        onOpenChange={setOpen}
        focus={focus}
        sendAgain={sendAgain}
        retries={retries}
        runId={run.id}
      />
    </Stack>
  );
}
