// How an outbox message's delivery reads in a line.
import type { OutboxMessage, RunStatus } from "../client/runs";
import { formatTime } from "./format";

/** Attempts and the reason, in a line: "2 attempts, last: connection refused". */
export function deliveryNote(message: OutboxMessage): string {
  const parts: string[] = [];
  if (message.attempts.length > 0) {
    const last = message.attempts[message.attempts.length - 1];
    parts.push(`${message.attempts.length} attempt${message.attempts.length === 1 ? "" : "s"}`);
    if (!last.ok && last.error) parts.push(`last: ${last.error}`);
  }
  if (message.reason && !parts.some((part) => part.includes(message.reason ?? ""))) parts.push(message.reason);
  if (message.status === "sent" && message.sent_at) parts.push(`sent ${formatTime(message.sent_at)}`);
  return parts.join(" · ");
}

/**
 * What a message waiting to be retried is doing, in a line: "Retrying: attempt 2 of 6 failed (450 …) · next try
 * at 10:04:05 (in 4 s)". Null for a message not waiting on a retry (sent, failed for good, held, not tried yet).
 */
export function retryNote(message: OutboxMessage, maxAttempts: number, now: Date): string | null {
  const tried = message.attempts.length;
  if (message.status !== "pending" || tried === 0) return null;
  const last = message.attempts[tried - 1];
  if (last.ok) return null;
  const parts = [`Retrying: attempt ${tried} of ${maxAttempts} failed${last.error ? ` (${last.error})` : ""}`];
  if (message.next_attempt_at) {
    const next = new Date(message.next_attempt_at);
    const seconds = Math.max(0, Math.round((next.getTime() - now.getTime()) / 1000));
    parts.push(`next try at ${next.toLocaleTimeString()} (${seconds > 0 ? `in ${seconds} s` : "now"})`);
  }
  return parts.join(" · ");
}

/**
 * A download link as a path on this site: the server signs links with its configured public address (right for
 * emails), which need not be the address this browser reached it at.
 */
export function sameOrigin(url: string): string {
  try {
    const parsed = new URL(url, "http://relative.invalid");
    return parsed.pathname.startsWith("/api/") ? `${parsed.pathname}${parsed.search}` : url;
  } catch {
    return url;
  }
}

/** Whether "Send now" is offered: the server says the message may be sent (held or failed, not a test run's or a
 * cancelled run's), and its run is not cancelled by now. */
export function canSendAgain(message: OutboxMessage, runStatus: RunStatus): boolean {
  return message.sendable && runStatus !== "cancelled";
}

const SENT_CHECK_MS = 1500;

/**
 * After queueing emails: show them now (waiting), and look once more shortly after — the deliverer sends within
 * moments, so "Sent" shows without a reload.
 */
export async function showSending(refresh: () => void | Promise<void>): Promise<void> {
  await refresh();
  window.setTimeout(() => void refresh(), SENT_CHECK_MS);
}
