// The draft being edited: local state with an undo history, saved to the server shortly after each edit.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { dequal } from "dequal";
import { workflows, type Issue, type WorkflowDocument } from "../client";
import type { Draft } from "./context";

const SAVE_DELAY_MS = 400;

/** The document with these settings (what the Settings tab saved), everything else as it was. */
export function withSettings(document: WorkflowDocument, settings: WorkflowDocument["settings"]): WorkflowDocument {
  const next = { ...document };
  if (settings === undefined) delete next.settings;
  else next.settings = settings;
  return next;
}
const UNDO_DEPTH = 100;

export function useDraft(workflowId: string, initial: WorkflowDocument, initialIssues: Issue[], readOnly: boolean): Draft {
  const [document, setDocument] = useState(initial);
  const [issues, setIssues] = useState(initialIssues);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<Error | null>(null);
  // The undo history lives in a ref (updated outside React's updaters, which may run twice); its length is state.
  const history = useRef<WorkflowDocument[]>([]);
  const [historyLength, setHistoryLength] = useState(0);
  const latest = useRef(document);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void>>(Promise.resolve());

  const save = useCallback((): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const toSave = latest.current;
    setSaving(true);
    // Saves run one after another, so the server ends with the latest document.
    inFlight.current = inFlight.current
      .then(() => workflows.saveDraft(workflowId, toSave))
      .then(
        (saved) => {
          setIssues(saved.issues);
          setSaveError(null);
        },
        (caught: unknown) => setSaveError(caught instanceof Error ? caught : new Error(String(caught))),
      )
      .finally(() => setSaving(!!timer.current));
    return inFlight.current;
  }, [workflowId]);

  const schedule = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void save(), SAVE_DELAY_MS);
    setSaving(true);
  }, [save]);

  const update = useCallback(
    (change: (document: WorkflowDocument) => WorkflowDocument) => {
      if (readOnly) return;
      const before = latest.current;
      const after = change(before);
      // A change that leaves the content as it was (a form reporting its value on opening, a click read as a
      // drag of no distance) is no edit: it must not take a place in the undo history or be saved.
      if (after === before || dequal(after, before)) return;
      latest.current = after;
      setDocument(after);
      history.current = [...history.current.slice(-(UNDO_DEPTH - 1)), before];
      setHistoryLength(history.current.length);
      schedule();
    },
    [readOnly, schedule],
  );

  const undo = useCallback(() => {
    if (readOnly) return;
    const previous = history.current[history.current.length - 1];
    if (!previous) return;
    history.current = history.current.slice(0, -1);
    setHistoryLength(history.current.length);
    latest.current = previous;
    setDocument(previous);
    schedule();
  }, [readOnly, schedule]);

  const replace = useCallback((next: WorkflowDocument, nextIssues?: Issue[]) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    latest.current = next;
    setDocument(next);
    if (nextIssues) setIssues(nextIssues);
    history.current = [];
    setHistoryLength(0);
    setSaving(false);
  }, []);

  const adoptSettings = useCallback((settings: WorkflowDocument["settings"]) => {
    const next = withSettings(latest.current, settings);
    latest.current = next;
    setDocument(next);
    history.current = history.current.map((earlier) => withSettings(earlier, settings));
  }, []);

  const flush = useCallback(async () => {
    if (timer.current) await save();
    else await inFlight.current;
  }, [save]);

  const reload = useCallback(async () => {
    const [next, report] = await Promise.all([workflows.draft(workflowId), workflows.issues(workflowId)]);
    replace(next);
    setIssues(report.issues);
  }, [workflowId, replace]);

  // Leaving the page saves what is pending.
  useEffect(() => () => void (timer.current ? save() : undefined), [save]);

  return useMemo(
    () => ({ document, issues, saving, saveError, update, replace, adoptSettings, flush, undo, canUndo: historyLength > 0, reload }),
    [document, issues, saving, saveError, update, replace, adoptSettings, flush, undo, historyLength, reload],
  );
}
