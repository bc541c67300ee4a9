// Types mirrored from the server's OpenAPI (/api/openapi.json) and SPEC appendix A / E.

export type Role = "admin" | "editor" | "viewer";

export interface User {
  id: string;
  email: string;
  role: Role | string;
  integrations: string[] | null;
  teams: string[] | null;
  agents: string[] | null;
  csrf_token?: string | null;
}

/** One issue of a problem's `errors[]`, or of Final checks: where, what, and which canvas node. */
export interface Issue {
  path: string;
  message: string;
  /** "trigger", a step id, "workflow", or null. */
  node: string | null;
}

export type WorkflowStatus = "Draft" | "Live" | "Paused" | "Unpublished Changes";
export type WorkflowState = "draft" | "live" | "paused";

export interface LastRun {
  id: string;
  number: number;
  status: string;
  /** When it started (or was queued). */
  at: string;
}

export interface Workflow {
  id: string;
  name: string;
  status: WorkflowStatus;
  state: WorkflowState;
  active_version: number | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  paused_reason: string | null;
  /** "This workflow has changes that are not published yet." when so. */
  notice: string | null;
  last_run: LastRun | null;
}

export interface WorkflowCreated extends Workflow {
  issues: Issue[];
}

export interface WorkflowPage {
  data: Workflow[];
  /** How many match in all. */
  count: number;
}

export type TriggerType = "schedule" | "sync_started" | "sync_completed" | "sync_failed" | "manual";

export interface Trigger {
  type: TriggerType;
  integration?: string;
  cron?: string;
  every?: { minutes?: number; hours?: number };
  daily?: string;
  weekly?: unknown;
  monthly?: unknown;
  timezone?: string;
  [key: string]: unknown;
}

export interface Step {
  id: string;
  /** A step kind's type as the catalog (GET /api/steps) lists it: the UI keeps no list of the kinds. */
  type: string;
  /** Upstream step ids; "split.A" names port A of step "split". */
  after?: string[];
  config?: Record<string, unknown>;
}

/** The workflow document (SPEC appendix A): the one wire format. */
export interface WorkflowDocument {
  name: string;
  trigger?: Trigger | null;
  steps?: Step[];
  settings?: Record<string, unknown>;
  layout?: Record<string, { x: number; y: number }>;
}

export interface DraftSaved {
  document: WorkflowDocument;
  issues: Issue[];
}

export interface IssuesReport {
  message: string;
  count: number;
  issues: Issue[];
  nodes: Record<string, Issue[]>;
}
