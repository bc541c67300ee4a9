// A workflow's lifecycle calls (SPEC appendix E): publish, pause, resume, edit, versions, settings, Run now.
// Types mirror /api/openapi.json (VersionsPublic, VersionDocument, SettingsPublic, SettingsUpdate, RunPublic).
import { request } from "./http";
import type { Workflow, WorkflowDocument } from "./types";

/** One published version, as `GET /workflows/{id}/versions` lists it (newest first). */
export interface VersionSummary {
  number: number;
  created_at: string;
  created_by: string | null;
  created_by_email: string | null;
  /** The version new runs run. */
  active: boolean;
}

export interface VersionsPage {
  data: VersionSummary[];
  count: number;
}

/** One version with its (immutable) appendix-A document. */
export interface VersionDocument {
  number: number;
  active: boolean;
  created_at: string;
  created_by: string | null;
  document: WorkflowDocument;
}

/** When the trigger fires while a run is still going. */
export type OverlapPolicy = "skip" | "queue" | "parallel";

/** The Settings tab's limits with the usage they are measured against. */
export interface WorkflowSettings {
  call_limit: number | null;
  credits_limit: number | null;
  overlap: OverlapPolicy;
  /** Spending counts against the credits limit from here. */
  credits_limit_since: string | null;
  /** Credits spent since the credits limit was set (or ever, without one). */
  credits_spent: number;
  calls_last_24h: number;
  /** Of the calls: runs started (each firing or Run now). */
  triggers_last_24h: number;
  /** Of the calls: conversations sent to a pipeline. */
  conversations_last_24h: number;
}

/** `PUT /workflows/{id}/settings`: both limits (null: no limit) and the overlap policy. */
export interface SettingsUpdate {
  call_limit: number | null;
  credits_limit: number | null;
  overlap: OverlapPolicy;
}

/** The part of the run resource the lifecycle controls need (the Runs tab has the whole of it). */
export interface RunStarted {
  id: string;
  workflow_id: string;
  number: number;
  status: string;
  test: boolean;
}

const base = (id: string) => `/workflows/${encodeURIComponent(id)}`;

export const lifecycle = {
  /** 422 (with every issue in `errors`) while Final checks find any. */
  publish: (id: string) => request<Workflow>("POST", `${base(id)}/publish`),
  pause: (id: string) => request<Workflow>("POST", `${base(id)}/pause`),
  resume: (id: string) => request<Workflow>("POST", `${base(id)}/resume`),
  /** A fresh draft from the active version; what runs is untouched. */
  edit: (id: string) => request<Workflow>("POST", `${base(id)}/edit`),
  versions: (id: string, signal?: AbortSignal) => request<VersionsPage>("GET", `${base(id)}/versions`, { signal }),
  version: (id: string, number: number, signal?: AbortSignal) =>
    request<VersionDocument>("GET", `${base(id)}/versions/${number}`, { signal }),
  activate: (id: string, number: number) => request<Workflow>("POST", `${base(id)}/versions/${number}/activate`),
  settings: (id: string, signal?: AbortSignal) => request<WorkflowSettings>("GET", `${base(id)}/settings`, { signal }),
  saveSettings: (id: string, body: SettingsUpdate) =>
    request<WorkflowSettings>("PUT", `${base(id)}/settings`, { body }),
  /** Run now (the active version when published, else the draft); `test` for a test run. */
  startRun: (id: string, test: boolean) => request<RunStarted>("POST", `${base(id)}/runs`, { body: { test } }),
};
