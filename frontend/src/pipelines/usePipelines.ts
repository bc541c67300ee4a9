// Loads GET /pipelines for the list (and the "Start from" choice of a new pipeline).
import { useCallback, useEffect, useState } from "react";
import { pipelinesApi, type PipelineSummary } from "../client/pipelines";

export interface PipelinesState {
  pipelines: PipelineSummary[] | null;
  error: unknown;
  reload: () => void;
}

export function usePipelines(): PipelinesState {
  const [pipelines, setPipelines] = useState<PipelineSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    pipelinesApi
      .list(controller.signal)
      .then((page) => {
        setPipelines(page.data);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(caught);
      });
    return () => controller.abort();
  }, [generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { pipelines, error, reload };
}
