// Runs over the API (SPEC "Runs and metrics", appendix E): the Runs tab's list and metrics, one run with its
// steps, previews, exports and outbox messages, cancel and re-run, and the version a run ran.
import { request } from "./http";
import type { WorkflowDocument } from "./types";

export type RunStatus = "queued" | "running" | "completed" | "failed" | "cancelled";
export type StepStatus = "pending" | "running" | "completed" | "failed" | "skipped" | "cancelled";

/** A long Process Conversations step's progress (when the server provides it). */
export interface StepProgress {
  processed: number;
  total: number;
  credits: number;
}

/** A file a Schedule Export step stored. */
export interface ExportFile {
  id: string;
  name: string;
  file_type: "csv" | "xlsx";
  columns: string[];
  rows: number;
  bytes: number;
  created_at: string | null;
  /** A signed, expiring link (only in GET /runs/{id}). */
  download_url?: string | null;
}

export interface DeliveryAttempt {
  at: string | null;
  ok: boolean;
  error: string | null;
}

export type MessageStatus = "pending" | "sending" | "sent" | "failed" | "held";

/** An email a step put in the outbox. */
export interface OutboxMessage {
  id: string;
  run_id: string;
  workflow_id: string;
  step_id: string;
  kind: "alert" | "report";
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  status: MessageStatus;
  /** Why it is held, or the last failure. */
  reason: string | null;
  /** Whether Send now may queue it: held or failed, and not a test run's (it shows what would be sent) or a cancelled run's. */
  sendable: boolean;
  attempts: DeliveryAttempt[];
  /** When a message waiting to be retried is tried next; null otherwise. */
  next_attempt_at?: string | null;
  created_at: string | null;
  sent_at: string | null;
}

/** A run's messages with the attempt limit (GET /runs/{id}/messages). */
export interface RunMessages {
  max_attempts: number;
  data: OutboxMessage[];
}

/** Counts per bin: bin i covers [edges[i], edges[i + 1]); `missing` counts values that were not there. */
export interface Histogram {
  edges: number[];
  counts: number[];
  missing: number;
}

/** A bound a Filter step puts on score or sentiment. */
export interface Threshold {
  step_id: string | null;
  field: "score" | "sentiment";
  operator: string;
  value: number;
}

/** Score and sentiment of the conversations a run processed (GET /runs/{id}/distribution). */
export interface RunDistribution {
  run_id: string;
  processed: number;
  score: Histogram;
  sentiment: Histogram;
  thresholds: Threshold[];
}

export interface RunStep {
  id: string;
  type: string;
  status: StepStatus;
  started_at: string | null;
  finished_at: string | null;
  rows_in: number | null;
  rows_out: number | null;
  /** Rows per output port ("out" for single-output steps). */
  outputs: Record<string, number>;
  credits: number;
  /** The step's own figures (Process Conversations: processed, reused …). */
  tally: Record<string, unknown>;
  error: string | null;
  exports?: ExportFile[];
  messages?: OutboxMessage[];
  /** Per output port, its first rows (only in GET /runs/{id}). */
  preview?: Record<string, Array<Record<string, unknown>>>;
  progress?: StepProgress | null;
}

/** The run resource of appendix E. */
export interface Run {
  id: string;
  workflow_id: string;
  number: number;
  /** The version it ran; null for a draft. */
  version: number | null;
  status: RunStatus;
  trigger: { type: string; payload: Record<string, unknown> };
  test: boolean;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  runtime_s: number | null;
  credits: number;
  conversations_processed: number;
  error: string | null;
  /** Set when a limit cut the run short (it still completes). */
  limit_stop?: LimitStop | null;
  steps: RunStep[];
}

/** Which limit stopped a run, how many conversations it left unprocessed, and the sentence to show. */
export interface LimitStop {
  limit: "credits_limit" | "call_limit";
  left: number;
  message: string;
}

/** One row of the runs list. */
export interface RunSummary {
  id: string;
  number: number;
  status: RunStatus;
  version: number | null;
  trigger_type: string;
  test: boolean;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  runtime_s: number | null;
  credits: number;
  conversations_processed: number;
  limit_stop?: LimitStop | null;
}

export interface RunsPage {
  /** Newest first. */
  data: RunSummary[];
  count: number;
}

export interface RunMetrics {
  credits_used: number;
  /** Of the completed runs, in seconds. */
  average_runtime_s: number | null;
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
  /** "No Runs yet" and its note, when there are no runs. */
  empty_state: { title: string; message: string } | null;
  /** How many test runs the workflow has: left out of the figures unless asked for. */
  test_runs: number;
}

/** One `change` event of the live feed: a status change of the run (step_id null) or of a step. */
export interface RunChange {
  id: number;
  at: string | null;
  step_id: string | null;
  status: string;
  reason: string | null;
  /**
   * A step's rows_in, rows_out, outputs, credits; the run's credits, conversations_processed; or, for a running
   * step's progress report, the report's processed, total and credits.
   */
  counts: {
    rows_in?: number | null;
    rows_out?: number | null;
    outputs?: Record<string, number> | null;
    credits?: number | null;
    conversations_processed?: number | null;
    processed?: number;
    total?: number;
  };
  /** Set on a running step's progress report. */
  progress?: StepProgress | null;
  /** The run's credits and conversations processed as they stand now (they grow batch by batch). */
  run_counts?: { credits: number; conversations_processed: number } | null;
}

export interface VersionDocument {
  number: number;
  active: boolean;
  created_at: string;
  created_by: string | null;
  document: WorkflowDocument;
}

/** A message as the outbox lists it: with its run's number and its workflow's name. */
export interface ListedMessage extends OutboxMessage {
  run_number: number | null;
  workflow_name: string | null;
}

export interface OutboxListing {
  data: ListedMessage[];
  count: number;
}

export interface OutboxPage {
  data: OutboxMessage[];
  count: number;
}

const wf = (id: string) => `/workflows/${encodeURIComponent(id)}`;
const run = (id: string) => `/runs/${encodeURIComponent(id)}`;

export const runs = {
  list: (workflowId: string, query: { limit?: number; offset?: number } = {}, signal?: AbortSignal) =>
    request<RunsPage>("GET", `${wf(workflowId)}/runs`, { query: { ...query }, signal }),
  /** `tests`: count test runs in the figures too (they are previews, left out by default). */
  metrics: (workflowId: string, signal?: AbortSignal, tests = false) =>
    request<RunMetrics>("GET", `${wf(workflowId)}/metrics`, { signal, query: { tests } }),
  /** Run now (the active version when published, else the draft); `test` for a test run. */
  start: (workflowId: string, test = false) => request<Run>("POST", `${wf(workflowId)}/runs`, { body: { test } }),
  get: (runId: string, signal?: AbortSignal) => request<Run>("GET", run(runId), { signal }),
  cancel: (runId: string) => request<Run>("POST", `${run(runId)}/cancel`),
  /** Re-run a failed run from the failed step: answers the new run. */
  rerun: (runId: string) => request<Run>("POST", `${run(runId)}/rerun`),
  /** The live feed's URL, for an EventSource. */
  eventsUrl: (runId: string) => `/api${run(runId)}/events`,
  version: (workflowId: string, number: number, signal?: AbortSignal) =>
    request<VersionDocument>("GET", `${wf(workflowId)}/versions/${number}`, { signal }),
  /** Send a held or failed outbox message again (editors; a 409 says why not, e.g. no SMTP server). */
  sendAgain: (messageId: string) => request<OutboxMessage>("POST", `/outbox/${encodeURIComponent(messageId)}/send`),
  /** Send every email held because no SMTP server was configured (editors): answers how many were queued. */
  sendHeld: () => request<{ queued: number }>("POST", "/outbox/send-held"),
  /** Every message of the workflows you may see, newest first; `status` narrows it (e.g. "held"). */
  outboxAll: (query: { status?: MessageStatus | null; limit: number; offset: number }, signal?: AbortSignal) =>
    request<OutboxListing>("GET", "/outbox", { query: { ...query }, signal }),
  /** The run's messages, each attempt, the next try's time, and how many tries a message gets. */
  messages: (runId: string, signal?: AbortSignal) => request<RunMessages>("GET", `${run(runId)}/messages`, { signal }),
  /** Why each criterion passed, failed or did not apply, for the conversations a step's preview shows. */
  reasons: (runId: string, stepId: string, signal?: AbortSignal) =>
    request<{ data: Record<string, Record<string, string>> }>(
      "GET",
      `${run(runId)}/steps/${encodeURIComponent(stepId)}/reasons`,
      { signal },
    ),
  distribution: (runId: string, signal?: AbortSignal) =>
    request<RunDistribution>("GET", `${run(runId)}/distribution`, { signal }),
  outbox: (runId: string, signal?: AbortSignal) =>
    request<OutboxPage>("GET", "/outbox", { query: { run_id: runId, limit: 500 }, signal }),
};
