// The Runs tab's data: the metrics header and one page of runs, fetched together and polled every few seconds
// while a run is queued or running (so statuses, runtimes and credits move without a reload), and now and then
// otherwise (a run started by "Run now" in the header, a schedule or a sync shows up by itself).
import { useCallback, useEffect, useRef, useState } from "react";
import { runs as runsApi, type RunMetrics, type RunsPage } from "../client/runs";
import { runInProgress } from "./liveRun";

export const RUNS_PAGE_SIZE = 20;
export const POLL_MS = 3000;
export const IDLE_POLL_MS = 15000;

export interface RunsOverview {
  metrics: RunMetrics | null;
  page: RunsPage | null;
  error: Error | null;
  loading: boolean;
  reload(): Promise<void>;
}

export function useRunsOverview(workflowId: string, pageNumber: number, includeTests = false): RunsOverview {
  const [metrics, setMetrics] = useState<RunMetrics | null>(null);
  const [page, setPage] = useState<RunsPage | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const controller = useRef<AbortController | null>(null);

  const reload = useCallback(async () => {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    try {
      const offset = (pageNumber - 1) * RUNS_PAGE_SIZE;
      const [nextMetrics, nextPage] = await Promise.all([
        runsApi.metrics(workflowId, current.signal, includeTests),
        runsApi.list(workflowId, { limit: RUNS_PAGE_SIZE, offset }, current.signal),
      ]);
      if (current.signal.aborted) return;
      setMetrics(nextMetrics);
      setPage(nextPage);
      setError(null);
    } catch (caught) {
      if (current.signal.aborted) return;
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      if (!current.signal.aborted) setLoading(false);
    }
  }, [workflowId, pageNumber, includeTests]);

  useEffect(() => {
    void reload();
    return () => controller.current?.abort();
  }, [reload]);

  // Poll while anything is in progress: the metrics count them across all pages, the page shows its own.
  const busy = (metrics?.in_progress ?? 0) > 0 || (page?.data ?? []).some((run) => runInProgress(run.status));
  useEffect(() => {
    const timer = window.setInterval(() => void reload(), busy ? POLL_MS : IDLE_POLL_MS);
    return () => window.clearInterval(timer);
  }, [busy, reload]);

  return { metrics, page, error, loading, reload };
}
