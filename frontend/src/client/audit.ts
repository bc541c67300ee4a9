// The audit log across workflows (GET /audit): who published, paused, resumed, changed settings or sent again what.
import { request } from "./http";

export interface AuditRow {
  id: number;
  at: string;
  user_id: string | null;
  /** Who acted; null when RedFlare did (an automatic pause). */
  user_email: string | null;
  action: string;
  workflow_id: string | null;
  workflow_name: string | null;
  detail: Record<string, unknown>;
}

export interface AuditListing {
  data: AuditRow[];
  count: number;
  /** Every action in the log you may read, for the filter's choices. */
  actions: string[];
}

export interface AuditQuery {
  workflow_id?: string | null;
  action?: string | null;
  actor?: string | null;
  /** ISO 8601: from this moment. */
  since?: string | null;
  /** ISO 8601: before this moment. */
  until?: string | null;
  limit: number;
  offset: number;
}

export const auditLog = {
  search: (query: AuditQuery, signal?: AbortSignal) => request<AuditListing>("GET", "/audit", { query: { ...query }, signal }),
};
