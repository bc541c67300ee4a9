// The impact preview (GET /workflows/{id}/estimate): what a run would select and spend, and where a limit cuts in.
import { request } from "./http";

export interface LimitEstimate {
  limit: number;
  remaining: number;
  /** Conversations a run processes before this limit stops it; null when this run would not reach it. */
  stops_after: number | null;
}

export interface VersionEstimate {
  version: number | null;
  conversations: number;
  to_process: number;
  processed: number;
  credits: number;
  credits_without_limits: number;
  limits: {
    call_limit: LimitEstimate | null;
    credits_limit: LimitEstimate | null;
    /** False when the call limit is used up: a firing would make no run. */
    firing_allowed: boolean;
    cuts_in: "call_limit" | "credits_limit" | null;
  } | null;
}

export interface Estimate {
  workflow_id: string;
  draft: VersionEstimate;
  active: VersionEstimate | null;
}

export const estimates = {
  get: (workflowId: string, signal?: AbortSignal) =>
    request<Estimate>("GET", `/workflows/${encodeURIComponent(workflowId)}/estimate`, { signal }),
};
