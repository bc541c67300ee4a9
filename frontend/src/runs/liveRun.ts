// The run page's live state: the run resource, changed by the feed's `change` events, and what each canvas node
// shows of it. Pure, so the rules (which counts a change carries, when a time is stamped) are tested alone.
import type { NodeRunState } from "../canvas/graph";
import { TRIGGER_ID } from "../canvas/graph";
import type { Run, RunChange, RunStatus, RunStep, StepProgress, StepStatus } from "../client/runs";

const RUN_ENDED = new Set<string>(["completed", "failed", "cancelled"]);
const STEP_ENDED = new Set<string>(["completed", "failed", "skipped", "cancelled"]);

export function runEnded(status: string): boolean {
  return RUN_ENDED.has(status);
}

export function runInProgress(status: string): boolean {
  return status === "queued" || status === "running";
}

function secondsFrom(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const ms = new Date(end).getTime() - new Date(start).getTime();
  return Number.isFinite(ms) ? Math.max(0, ms / 1000) : null;
}

/** Keep what the change says and what it leaves out (undefined): counts arrive only for what they are about. */
function defined<T>(next: T | undefined, current: T): T {
  return next === undefined ? current : next;
}

function applyToRun(run: Run, change: RunChange): Run {
  const status = change.status as RunStatus;
  const started_at = status === "running" && !run.started_at ? change.at : run.started_at;
  const finished_at = runEnded(status) ? (run.finished_at ?? change.at) : run.finished_at;
  return {
    ...run,
    status,
    started_at,
    finished_at,
    runtime_s: runEnded(status) ? (run.runtime_s ?? secondsFrom(started_at, finished_at)) : run.runtime_s,
    credits: defined(change.counts.credits ?? undefined, run.credits),
    conversations_processed: defined(change.counts.conversations_processed ?? undefined, run.conversations_processed),
    error: status === "failed" && change.reason ? change.reason : run.error,
  };
}

function emptyStep(id: string): RunStep {
  return {
    id,
    type: "",
    status: "pending",
    started_at: null,
    finished_at: null,
    rows_in: null,
    rows_out: null,
    outputs: {},
    credits: 0,
    tally: {},
    error: null,
  };
}

/** The progress a change reports: its `progress`, or counts that are a progress report's three figures. */
export function changeProgress(change: RunChange): StepProgress | undefined {
  if (change.progress) return change.progress;
  const { processed, total, credits } = change.counts;
  if (typeof processed === "number" && typeof total === "number") return { processed, total, credits: credits ?? 0 };
  return undefined;
}

function applyToStep(step: RunStep, change: RunChange): RunStep {
  const status = change.status as StepStatus;
  const { counts } = change;
  return {
    ...step,
    status,
    started_at: status === "running" && !step.started_at ? change.at : step.started_at,
    finished_at: STEP_ENDED.has(status) ? (step.finished_at ?? change.at) : step.finished_at,
    rows_in: defined(counts.rows_in, step.rows_in),
    rows_out: defined(counts.rows_out, step.rows_out),
    outputs: counts.outputs ?? step.outputs,
    credits: defined(counts.credits ?? undefined, step.credits),
    progress: changeProgress(change) ?? step.progress,
    error: status === "failed" ? (change.reason ?? step.error) : step.error,
  };
}

/**
 * The run's totals as a change says they stand: they only grow while the run goes on, so a late change of an
 * older reading never takes them back.
 */
function withRunCounts(run: Run, change: RunChange): Run {
  const counts = change.run_counts;
  if (!counts) return run;
  return {
    ...run,
    credits: Math.max(run.credits, counts.credits),
    conversations_processed: Math.max(run.conversations_processed, counts.conversations_processed),
  };
}

/** The run after one `change` of its live feed (a change of the run itself has step_id null). */
export function applyChange(run: Run, change: RunChange): Run {
  if (change.step_id === null || change.step_id === undefined) return withRunCounts(applyToRun(run, change), change);
  const known = run.steps.some((step) => step.id === change.step_id);
  const steps = known ? run.steps : [...run.steps, emptyStep(change.step_id)];
  const next = { ...run, steps: steps.map((step) => (step.id === change.step_id ? applyToStep(step, change) : step)) };
  return withRunCounts(next, change);
}

function numberIn(tally: Record<string, unknown>, key: string): number {
  const value = tally[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/**
 * A Process Conversations step's progress: the server's `progress` when it sends one, else what the tally says
 * once the step has one (processed and reused of the rows it took in).
 */
export function stepProgress(step: RunStep): StepProgress | null {
  if (step.progress) return step.progress;
  if (step.type !== "process_conversations" || step.rows_in === null || step.rows_in === undefined) return null;
  if (!("processed" in step.tally)) return null;
  const processed = numberIn(step.tally, "processed") + numberIn(step.tally, "reused");
  return { processed: Math.min(processed, step.rows_in), total: step.rows_in, credits: step.credits };
}

/** What each canvas node shows of the run: the trigger node the run's status, each step node its own. */
export function nodeRunStates(run: Run): Record<string, NodeRunState> {
  const states: Record<string, NodeRunState> = {
    [TRIGGER_ID]: { status: run.status, credits: run.credits, error: run.error },
  };
  for (const step of run.steps) {
    states[step.id] = {
      status: step.status,
      rows_in: step.rows_in,
      rows_out: step.rows_out,
      credits: step.credits,
      error: step.error,
      progress: stepProgress(step),
    };
  }
  return states;
}

/**
 * The feed's run (snapshot and changes) with what only GET /runs/{id} carries kept from the last fetch: each
 * step's output preview, exports (with download links) and outbox messages.
 */
export function withDetails(live: Run, detail: Run | null): Run {
  if (!detail) return live;
  const extras = new Map(detail.steps.map((step) => [step.id, step]));
  return {
    ...live,
    steps: live.steps.map((step) => {
      const known = extras.get(step.id);
      if (!known) return step;
      return {
        ...step,
        preview: step.preview && Object.keys(step.preview).length > 0 ? step.preview : known.preview,
        exports: step.exports && step.exports.length > 0 ? step.exports : known.exports,
        messages: step.messages && step.messages.length > 0 ? step.messages : known.messages,
      };
    }),
  };
}

/**
 * What a Cancel that lost the race to the run's end says: the run had already finished by itself, so nothing was
 * cancelled. Null while the run has not ended (then the refusal was about something else and is shown as it is).
 */
export function cancelTooLate(run: Pick<Run, "number" | "status">): string | null {
  if (!runEnded(run.status)) return null;
  const how = run.status === "completed" ? "completed" : run.status === "failed" ? "failed" : "been cancelled";
  return `Run #${run.number} had already ${how} before the cancel reached it: there was nothing left to cancel.`;
}
