// The Runs tab's charts: credits, conversations and runtime of each run, oldest first, so the bars read left to
// right in time.
import type { RunSummary } from "../client/runs";

export interface RunPoint {
  [key: string]: string | number | null;
  /** "#3": the x axis. */
  run: string;
  /** When it started (or was queued), for the tooltip. */
  at: string;
  credits: number;
  /** Conversations the run processed (reused results are not processed again). */
  conversations: number;
  /** Seconds; null while the run has not finished (no bar). */
  runtime: number | null;
}

function started(run: RunSummary): string | null {
  return run.started_at ?? run.created_at;
}

/** Chart points from a page of runs (the API lists newest first); test runs are left out unless asked for. */
export function runSeries(runs: RunSummary[], { includeTests = true }: { includeTests?: boolean } = {}): RunPoint[] {
  return runs
    .filter((run) => includeTests || !run.test)
    .slice()
    .sort((a, b) => a.number - b.number) // numbers follow time: 1, 2, 3 … per workflow
    .map((run) => {
      const at = started(run);
      return {
        run: `#${run.number}`,
        at: at ? new Date(at).toLocaleString() : "",
        credits: run.credits,
        conversations: run.conversations_processed,
        runtime: run.runtime_s === null ? null : Math.round(run.runtime_s * 10) / 10,
      };
    });
}
