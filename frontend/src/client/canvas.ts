// The canvas's own API call: what deleting a step or a connection affects (GET /workflows/{id}/draft/impact).
import { request } from "./http";

/** ImpactPublic: the downstream steps a deletion leaves without (all or part of) their input. */
export interface Impact {
  affected: number;
  steps: string[];
}

/** Give a step id, or a connection written `FROM->TO` (e.g. "split.A->report"). Reckoned on the saved draft. */
export function deletionImpact(workflowId: string, target: { step: string } | { connection: string }, signal?: AbortSignal): Promise<Impact> {
  return request<Impact>("GET", `/workflows/${encodeURIComponent(workflowId)}/draft/impact`, { query: target, signal });
}
