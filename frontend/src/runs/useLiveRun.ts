// One run, live: GET /runs/{id} for the full resource (previews, exports, messages), and the feed
// GET /runs/{id}/events (EventSource) for every status change while it runs. Falls back to polling if the
// feed cannot be opened. The EventSource is closed on unmount and once the run has ended.
import { useCallback, useEffect, useRef, useState } from "react";
import { runs as runsApi, type Run, type RunChange } from "../client/runs";
import { applyChange, runEnded, withDetails } from "./liveRun";

const POLL_MS = 3000;
const DETAIL_REFRESH_MS = 1500; // a finished step's preview and files, fetched at most this often while running

export interface LiveRun {
  run: Run | null;
  error: Error | null;
  /** Fetch the run again (after cancel, say). */
  refresh(): Promise<void>;
  /** Follow the feed again from the start: a re-run goes on as the same run. */
  follow(): void;
}

function parse<T>(event: MessageEvent<string>): T | null {
  try {
    return JSON.parse(event.data) as T;
  } catch {
    return null;
  }
}

export function useLiveRun(runId: string): LiveRun {
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const detail = useRef<Run | null>(null);
  const alive = useRef(true);
  const ended = useRef(false);
  const [epoch, setEpoch] = useState(0);
  const follow = useCallback(() => setEpoch((n) => n + 1), []);

  /** The full resource: replaces the live state once the run has ended, else only adds its extras. */
  const refresh = useCallback(async () => {
    try {
      const fetched = await runsApi.get(runId);
      if (!alive.current) return;
      detail.current = fetched;
      ended.current = runEnded(fetched.status);
      setRun((current) => (!current || runEnded(fetched.status) ? fetched : withDetails(current, fetched)));
      setError(null);
    } catch (caught) {
      if (alive.current) setError(caught instanceof Error ? caught : new Error(String(caught)));
    }
  }, [runId]);

  useEffect(() => {
    alive.current = true;
    ended.current = false;
    setError(null);
    void refresh();

    let poll: number | undefined;
    let pending: number | undefined;
    const refreshSoon = () => {
      if (pending === undefined) pending = window.setTimeout(() => ((pending = undefined), void refresh()), DETAIL_REFRESH_MS);
    };
    const source = new EventSource(runsApi.eventsUrl(runId));
    source.addEventListener("snapshot", (event) => {
      const snapshot = parse<Run>(event as MessageEvent<string>);
      if (snapshot) setRun(withDetails(snapshot, detail.current));
    });
    source.addEventListener("change", (event) => {
      const change = parse<RunChange>(event as MessageEvent<string>);
      if (!change) return;
      setRun((current) => (current ? applyChange(current, change) : current));
      // A step that finished has a preview (and maybe files or messages) only GET /runs/{id} carries.
      if (change.step_id && change.status !== "running") refreshSoon();
    });
    source.addEventListener("end", () => {
      source.close();
      void refresh();
    });
    source.onerror = () => {
      // The browser reconnects by itself unless the feed is gone for good (a 404, a proxy): then poll.
      if (source.readyState === EventSource.CLOSED && poll === undefined) {
        poll = window.setInterval(() => {
          if (ended.current) window.clearInterval(poll); // nothing more will change
          else void refresh();
        }, POLL_MS);
      }
    };

    return () => {
      alive.current = false;
      source.close();
      window.clearInterval(poll);
      window.clearTimeout(pending);
    };
  }, [runId, refresh, epoch]);

  // Another run: forget this one's state (a re-run of the same run keeps it while the feed catches up).
  useEffect(() => {
    detail.current = null;
    setRun(null);
  }, [runId]);

  return { run, error, refresh, follow };
}
