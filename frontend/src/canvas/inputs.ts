// A step's input chosen from a list (the side panel's "Input from"): the keyboard's way to connect two steps that
// are already on the canvas, where the mouse draws a line. The same edits as the canvas (edit.ts: connect,
// deleteConnection), so both ways refuse the same lines and change the document the same way.
import type { StepKind, WorkflowDocument } from "../client";
import { connect, deleteConnection, downstreamOf, type Refusal } from "./edit";
import { TRIGGER_ID, parseRef, refFor, stepPorts } from "./graph";

/** One source a step may take its input from: a step's output port ("split.A"), or the trigger's id. */
export interface InputChoice {
  value: string;
  /** The step's id, then its port when its kind has several (a Distribute's group). */
  label: string;
}

/**
 * What may feed the step `target`: the trigger (when the workflow has one), then every port of every other step
 * except those after it (a line from them would close a loop), in the document's order.
 */
export function inputChoices(
  document: WorkflowDocument,
  target: string,
  kinds: ReadonlyMap<string, StepKind>,
  title: (type: string) => string,
): InputChoice[] {
  const after = downstreamOf(document, [target]);
  const choices: InputChoice[] = document.trigger ? [{ value: TRIGGER_ID, label: "The trigger" }] : [];
  for (const step of document.steps ?? []) {
    if (step.id === target || after.has(step.id)) continue;
    const kind = kinds.get(step.type);
    const named = `${title(step.type)} "${step.id}"`;
    if (kind?.ports_from) {
      for (const port of stepPorts(step, kind)) choices.push({ value: refFor(step.id, port), label: `${named}: ${port}` });
    } else choices.push({ value: step.id, label: named });
  }
  return choices;
}

/** The step's input as the list shows it: its one upstream reference, the trigger when it has none, else null. */
export function currentInput(document: WorkflowDocument, target: string): string | null {
  const after = (document.steps ?? []).find((step) => step.id === target)?.after ?? [];
  if (after.length === 0) return document.trigger ? TRIGGER_ID : null;
  return after.length === 1 ? after[0] : null;
}

/**
 * Makes `source` (a reference as `inputChoices` gives, or the trigger's id) the only input of `target`: its other
 * lines are deleted and the new one connected, as deleting and drawing them on the canvas would.
 */
export function setInput(document: WorkflowDocument, target: string, source: string): WorkflowDocument | Refusal {
  const step = (document.steps ?? []).find((candidate) => candidate.id === target);
  if (!step) return { refused: "Connect a line to a step's input." };
  const without = (step.after ?? []).reduce((current, ref) => deleteConnection(current, ref, target), document);
  if (source === TRIGGER_ID) return connect(without, TRIGGER_ID, null, target);
  const { source: id, port } = parseRef(source);
  return connect(without, id, port, target);
}
