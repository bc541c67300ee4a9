// The document a run ran: its version's (GET /workflows/{id}/versions/{n}); a draft's test run has no version,
// so it shows the draft as it is now.
import { useEffect, useState } from "react";
import type { WorkflowDocument } from "../client";
import { runs as runsApi } from "../client/runs";

export function useRunDocument(workflowId: string, version: number | null | undefined, draft: WorkflowDocument) {
  const [document, setDocument] = useState<WorkflowDocument | null>(null);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    if (version === undefined) return; // the run is not loaded yet
    if (version === null) {
      setDocument(draft);
      return;
    }
    const controller = new AbortController();
    runsApi
      .version(workflowId, version, controller.signal)
      .then((found) => setDocument(found.document))
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(caught instanceof Error ? caught : new Error(String(caught)));
      });
    return () => controller.abort();
  }, [workflowId, version, draft]);

  return { document, error };
}
