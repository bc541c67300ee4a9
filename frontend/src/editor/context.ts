// The contract between the workflow page's parts: the canvas (editor/, canvas/), the side panel (panel/),
// the lifecycle controls (lifecycle/), the Runs and Settings tabs. Each reads what it needs from here.
import { createContext, useContext } from "react";
import type { ApiError, Issue, StepCatalog, Workflow, WorkflowDocument } from "../client";

/** What the side panel shows. */
export type PanelMode =
  | { kind: "none" }
  /** The trigger node: pick a trigger ("Select a trigger to start a workflow"), its form, Change / Clear trigger. */
  | { kind: "trigger" }
  /** A step's form, built from its JSON Schema. */
  | { kind: "step"; stepId: string }
  /**
   * "Add new step": "Select a next action in the workflow". `after` is where the new step connects from:
   * a step id, `"split.A"` (port A of a Distribute), the trigger's id "trigger", or null (unconnected).
   */
  | { kind: "add"; after: string | null }
  /** Final checks: every issue per node; clicking one selects its node. */
  | { kind: "checks" };

/** The draft being edited: local, undoable changes, saved to `PUT /workflows/{id}/draft` shortly after. */
export interface Draft {
  document: WorkflowDocument;
  /** Final checks of the last saved document (the PUT answer, or GET …/issues). */
  issues: Issue[];
  saving: boolean;
  /** The last save's failure, if the latest save failed (e.g. 422 with `errors[]`). */
  saveError: ApiError | Error | null;
  /** An undoable edit; saved (debounced). Ignored when read-only. */
  update(change: (document: WorkflowDocument) => WorkflowDocument): void;
  /**
   * The server changed the draft (Change trigger, Clear trigger, Edit workflow …): take its document as is, and
   * its Final checks when the answer carried them. The undo history starts again.
   */
  replace(document: WorkflowDocument, issues?: Issue[]): void;
  /**
   * The workflow's settings were saved on their own (the Settings tab): take the server's settings into the
   * draft and into every undo step, so neither the next draft save nor an undo of a canvas edit brings the old
   * ones back. The canvas's undo history stays.
   */
  adoptSettings(settings: WorkflowDocument["settings"]): void;
  /** Resolves once every pending change is saved (call before publish, trigger changes, leaving). */
  flush(): Promise<void>;
  /** Ctrl/Cmd+Z: back one edit (the undone state is saved). */
  undo(): void;
  canUndo: boolean;
  /** Fetch the draft and its issues again (after an action that changed them on the server). */
  reload(): Promise<void>;
}

export interface EditorContextValue {
  workflow: Workflow;
  /** Fetch the workflow (status, notice, active version …) again, e.g. after publish or pause. */
  reloadWorkflow(): Promise<void>;
  catalog: StepCatalog;
  draft: Draft;
  /** A viewer: no edit controls anywhere. */
  readOnly: boolean;
  panel: PanelMode;
  setPanel(mode: PanelMode): void;
  /** The node selected on the canvas ("trigger" or a step id), or null. */
  selectedNode: string | null;
  /** Select a node on the canvas and open its panel (null clears both). */
  selectNode(id: string | null): void;
}

export const EditorContext = createContext<EditorContextValue | null>(null);

export function useEditor(): EditorContextValue {
  const value = useContext(EditorContext);
  if (!value) throw new Error("useEditor outside the workflow page");
  return value;
}
