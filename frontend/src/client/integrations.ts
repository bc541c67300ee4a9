// Integrations over the API: the ones your rules allow, adding a push or folder integration (a push one's token is
// answered once), a folder's "Sync now", and an integration's syncs (newest first).
import { request } from "./http";

export interface IntegrationSummary {
  id: number;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  /** Its conversations you may see. */
  conversations: number;
  created_at: string;
}

export interface IntegrationCreated extends IntegrationSummary {
  /** A push integration's token: shown once, never again. */
  token: string | null;
}

export interface Sync {
  id: string;
  integration_id: number;
  integration: string;
  status: "running" | "completed" | "failed" | string;
  started_at: string;
  finished_at: string | null;
  window: Record<string, string | null>;
  counts: Record<string, number>;
  conversation_ids: string[];
  error: string | null;
}

export interface NewIntegration {
  name: string;
  kind: "push" | "folder";
  config: Record<string, unknown>;
}

export const integrationsApi = {
  list: (signal?: AbortSignal) =>
    request<{ data: IntegrationSummary[]; count: number }>("GET", "/integrations", { signal }),
  create: (body: NewIntegration) => request<IntegrationCreated>("POST", "/integrations", { body }),
  syncs: (id: number, signal?: AbortSignal) =>
    request<{ data: Sync[]; count: number }>("GET", `/integrations/${id}/syncs`, { signal, query: { limit: 20 } }),
  syncNow: (id: number) => request<{ sync: Sync | null }>("POST", `/integrations/${id}/sync-now`),
};
