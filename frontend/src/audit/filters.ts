// The audit log page's filters as the API's query, and an entry's detail as a line. Pure, so tested alone.
import type { AuditQuery } from "../client/audit";

export interface AuditFilters {
  workflowId: string | null;
  action: string | null;
  actor: string;
  /** "YYYY-MM-DD" (the browser's local day) or "". */
  from: string;
  /** "YYYY-MM-DD", inclusive, or "". */
  to: string;
}

export const NO_FILTERS: AuditFilters = { workflowId: null, action: null, actor: "", from: "", to: "" };

/** The start of a local day as an instant, or null for "" or a day that is not one. */
function dayStart(day: string, plusDays = 0): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + plusDays);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The query for one page: "to" includes its whole day (the API's `until` is exclusive). */
export function auditQuery(filters: AuditFilters, page: number, pageSize: number): AuditQuery {
  return {
    workflow_id: filters.workflowId,
    action: filters.action,
    actor: filters.actor.trim() || null,
    since: dayStart(filters.from),
    until: dayStart(filters.to, 1),
    limit: pageSize,
    offset: (page - 1) * pageSize,
  };
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** "version: 2 · reason: credits limit reached": each detail in a line, in the order given. */
export function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key.replace(/_/g, " ")}: ${valueText(value)}`)
    .join(" · ");
}
