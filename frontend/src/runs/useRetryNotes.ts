// While a step of the run waits on its emails, what each of its messages is doing: "Retrying: attempt 2 of 6
// failed (…) · next try at …". Polls GET /runs/{id}/messages every second while such a step is running (the feed
// carries step changes, not delivery attempts), and stops once none is.
import { useEffect, useState } from "react";
import { runs as runsApi, type Run } from "../client/runs";
import { retryNote } from "./deliveries";

const POLL_MS = 1000;
const SENDS_EMAIL = new Set(["send_alert", "schedule_export"]);

/** Step id → one line per message waiting on a retry. */
export type RetryNotes = Record<string, string[]>;

function waitingSteps(run: Run | null): string {
  if (!run) return "";
  return run.steps
    .filter((step) => step.status === "running" && SENDS_EMAIL.has(step.type))
    .map((step) => step.id)
    .join(",");
}

export function useRetryNotes(run: Run | null): RetryNotes {
  const [notes, setNotes] = useState<RetryNotes>({});
  const runId = run?.id ?? null;
  const waiting = waitingSteps(run);

  useEffect(() => {
    if (!runId || !waiting) {
      setNotes({});
      return;
    }
    const steps = new Set(waiting.split(","));
    const controller = new AbortController();
    const look = async () => {
      try {
        const found = await runsApi.messages(runId, controller.signal);
        const now = new Date();
        const next: RetryNotes = {};
        for (const message of found.data) {
          if (!steps.has(message.step_id)) continue;
          const note = retryNote(message, found.max_attempts, now);
          if (note) (next[message.step_id] ??= []).push(note);
        }
        setNotes(next);
      } catch {
        // A missed look is made up by the next one.
      }
    };
    void look();
    const timer = window.setInterval(() => void look(), POLL_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [runId, waiting]);

  return notes;
}
