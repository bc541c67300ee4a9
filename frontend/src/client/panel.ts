// The side panel's calls: integrations and pipelines to pick from, a schedule's next fire times,
// and the server-side trigger changes (Change trigger clears the steps, Clear trigger starts over).
import { request } from "./http";
import type { Issue, Trigger, WorkflowDocument } from "./types";

export interface Integration {
  id: number;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  /** Its conversations you may see. */
  conversations: number;
  created_at: string;
}

export interface Pipeline {
  name: string;
  /** The current version: what Process Conversations runs. */
  version: number;
  description: string;
  stages: Record<string, boolean>;
  /** Scorecard criteria; each is a column `criterion.<name>`. */
  criteria: string[];
  prices: Record<string, number>;
}

interface Page<T> {
  data: T[];
  count: number;
}

export interface NextFireTimes {
  /** The next fire times after now, in UTC. */
  times: string[];
  /** The same times in the trigger's time zone (ISO 8601 with offset). */
  local_times: string[];
  timezone: string;
  /** The schedule as cron (several expressions joined by " | " when one cannot say it). */
  cron: string;
}

/** The draft after a server-side change: its document and Final checks. */
export interface DraftPublic {
  document: WorkflowDocument;
  issues: Issue[];
}

const draftTrigger = (workflowId: string) => `/workflows/${encodeURIComponent(workflowId)}/draft/trigger`;

export const panelApi = {
  integrations: (signal?: AbortSignal) => request<Page<Integration>>("GET", "/integrations", { signal }),
  pipelines: (signal?: AbortSignal) => request<Page<Pipeline>>("GET", "/pipelines", { signal }),
  nextFireTimes: (trigger: Trigger, count = 5, signal?: AbortSignal) =>
    request<NextFireTimes>("POST", "/triggers/next-fire-times", { body: { trigger, count }, signal }),
  /** Change trigger: with steps present it needs `confirm` (they are cleared), else the server answers 409. */
  changeTrigger: (workflowId: string, trigger: Trigger, confirm: boolean) =>
    request<DraftPublic>("POST", draftTrigger(workflowId), { body: { trigger, confirm } }),
  /** Clear trigger: no trigger and no steps (name and settings stay). */
  clearTrigger: (workflowId: string) => request<DraftPublic>("DELETE", draftTrigger(workflowId)),
};
