// How the runs pages write durations, credits, times, sizes and statuses: one place, so the table, the header,
// the chart and the run page agree.
import type { Run } from "../client/runs";
import { TRIGGER_TITLES } from "../steps";

/** 4.2 → "4.2s", 75 → "1m 15s", 3725 → "1h 2m 5s"; null (not finished) → "—". */
export function formatRuntime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds < 10 ? Math.round(seconds * 10) / 10 : Math.round(seconds)}s`;
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0 ? `${hours}h ${minutes}m ${rest}s` : `${minutes}m ${rest}s`;
}

/** Credits with at most two decimals and thousands separators: 1234.5 → "1,234.5". */
export function formatCredits(credits: number | null | undefined): string {
  if (credits === null || credits === undefined || !Number.isFinite(credits)) return "—";
  return credits.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

/** An ISO time in the browser's locale, or "—". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** 512 → "512 B", 2048 → "2.0 KB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Seconds between two ISO times (a step's duration); null while it has not finished. */
export function secondsBetween(start: string | null | undefined, end: string | null | undefined): number | null {
  if (!start || !end) return null;
  const ms = new Date(end).getTime() - new Date(start).getTime();
  return Number.isFinite(ms) ? Math.max(0, ms / 1000) : null;
}

const STATUS_COLORS: Record<string, string> = {
  queued: "gray",
  pending: "gray",
  running: "blue",
  sending: "blue",
  completed: "green",
  sent: "green",
  failed: "red",
  cancelled: "orange",
  skipped: "gray",
  held: "yellow",
};

/** A Badge color for a run, step or message status. */
export function statusColor(status: string): string {
  return STATUS_COLORS[status] ?? "gray";
}

/** "completed" → "Completed". */
export function statusLabel(status: string): string {
  return status ? status.charAt(0).toUpperCase() + status.slice(1) : status;
}

/** What started a run, in the guide's words ("On a Schedule", "Manual" …). */
export function triggerLabel(type: string, test = false): string {
  // A test run is started by hand whatever the trigger (it only borrows a sync's conversations to try them).
  if (test) return "Manual test";
  return TRIGGER_TITLES[type] ?? type.replace(/_/g, " ");
}

/** What a Sync Failed run was started by: the integration and the failure's reason (for an import or a folder scan,
 * naming the file and line); null for any other run. */
export function syncFailure(run: Run): { integration: string | null; error: string } | null {
  if (run.trigger.type !== "sync_failed") return null;
  const payload = run.trigger.payload;
  const errors = Array.isArray(payload.errors) ? payload.errors.map(String) : [];
  const error = typeof payload.error === "string" ? payload.error : errors.join("; ");
  const integration = typeof payload.integration === "string" ? payload.integration : null;
  return error ? { integration, error: errors.length > 1 ? errors.join("; ") : error } : null;
}
