// Loads one pipeline (GET /pipelines/{name}) and, when asked, an older version of it (…/versions/{n}).
import { useCallback, useEffect, useState } from "react";
import { pipelinesApi, type PipelineDefinition, type PipelineDetail } from "../client/pipelines";

export interface PipelineState {
  detail: PipelineDetail | null;
  error: unknown;
  reload: () => void;
}

export function usePipeline(name: string): PipelineState {
  const [detail, setDetail] = useState<PipelineDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    pipelinesApi
      .get(name, controller.signal)
      .then((found) => {
        setDetail(found);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(caught);
      });
    return () => controller.abort();
  }, [name, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { detail, error, reload };
}

/** An older version's definition, or null while loading / when none is asked for. */
export function useVersionDefinition(
  name: string,
  version: number | null,
): { definition: PipelineDefinition | null; error: unknown } {
  const [definition, setDefinition] = useState<PipelineDefinition | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setDefinition(null);
    setError(null);
    if (version === null) return;
    const controller = new AbortController();
    pipelinesApi
      .version(name, version, controller.signal)
      .then((found) => setDefinition(found))
      .catch((caught: unknown) => {
        if (!controller.signal.aborted) setError(caught);
      });
    return () => controller.abort();
  }, [name, version]);
  return { definition, error };
}
