// Pure edits of a workflow document (appendix A): what the canvas and the side panel do to the draft.
import type { Step, StepKind, WorkflowDocument } from "../client";
import { COLUMN_WIDTH, ROW_HEIGHT, TRIGGER_ID, layeredPositions, parseRef, refFor, stepPorts } from "./graph";

/** A readable id for a new step of this type that the document does not use yet: "filter", "filter_2" … */
export function newStepId(document: WorkflowDocument, type: string): string {
  const taken = new Set((document.steps ?? []).map((step) => step.id));
  const base = type.split("_")[0] || "step";
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

/**
 * Adds a step of `type` connected after `after` (a step id, "split.A", the trigger's id, or null), placed to
 * the right of it. A step after the trigger has no `after`: it takes what the trigger starts with.
 */
export function addStep(
  document: WorkflowDocument,
  type: string,
  after: string | null,
  initialConfig: Record<string, unknown> = {},
): { document: WorkflowDocument; stepId: string } {
  const id = newStepId(document, type);
  const upstream = after === null || after === TRIGGER_ID ? [] : [after];
  const step: Step = { id, type, after: upstream, config: { ...initialConfig } };
  const layout = { ...(document.layout ?? {}) };
  const place = after === null ? null : placeAfter(document, parseRef(after).source);
  if (place) layout[id] = place;
  return { document: { ...document, steps: [...(document.steps ?? []), step], layout }, stepId: id };
}

/** A free spot one column right of `source` (its stored or computed position), below any node already there. */
function placeAfter(document: WorkflowDocument, source: string): { x: number; y: number } | null {
  const anchor = document.layout?.[source] ?? layeredPositions(document.steps ?? [])[source];
  if (!anchor) return null;
  const taken = Object.values(document.layout ?? {});
  const spot = { x: anchor.x + COLUMN_WIDTH, y: anchor.y };
  const near = (other: { x: number; y: number }) =>
    Math.abs(other.x - spot.x) < COLUMN_WIDTH / 2 && Math.abs(other.y - spot.y) < ROW_HEIGHT / 2;
  while (taken.some(near)) spot.y += ROW_HEIGHT;
  return spot;
}

/** Step id → the ids of the steps that take its output (any port), built once per call. */
export function downstreamIndex(document: WorkflowDocument): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const step of document.steps ?? []) {
    for (const ref of step.after ?? []) {
      const { source } = parseRef(ref);
      const next = index.get(source);
      if (next) next.push(step.id);
      else index.set(source, [step.id]);
    }
  }
  return index;
}

/** Every step downstream of `starts` (not the starts themselves), in O(steps + connections). */
export function downstreamOf(document: WorkflowDocument, starts: readonly string[]): Set<string> {
  const index = downstreamIndex(document);
  const seen = new Set<string>();
  const queue = [...starts];
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const next of index.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/**
 * What deleting affects, as the server reckons it (GET …/draft/impact): a step → every step downstream of it;
 * a connection → the step it feeds and everything downstream of that. Used when the server cannot be asked.
 */
export function affectedSteps(
  document: WorkflowDocument,
  deleting: { step: string } | { steps: readonly string[] } | { connectionTo: string },
): string[] {
  let affected: Set<string>;
  if ("step" in deleting || "steps" in deleting) {
    const deleted = "step" in deleting ? [deleting.step] : deleting.steps;
    affected = downstreamOf(document, deleted);
    for (const id of deleted) affected.delete(id); // steps deleted together are not "affected" by each other
  } else {
    affected = downstreamOf(document, [deleting.connectionTo]);
    affected.add(deleting.connectionTo);
  }
  return (document.steps ?? []).map((step) => step.id).filter((id) => affected.has(id));
}

/** A connection the canvas refused to draw, with the reason to show. */
export interface Refusal {
  refused: string;
}

/**
 * Connects the output `port` of `source` to `target`'s input: adds the reference to `target.after`. Self-loops
 * and lines that would close a cycle are refused; a line from the trigger means `target` takes the trigger's
 * output, which a step does only with no other input (so it is refused when the step already has inputs).
 * Drawing a line that exists already changes nothing (the same document comes back).
 */
export function connect(
  document: WorkflowDocument,
  source: string,
  port: string | null | undefined,
  target: string,
): WorkflowDocument | Refusal {
  const steps = document.steps ?? [];
  const targetStep = steps.find((step) => step.id === target);
  if (!targetStep) return { refused: "Connect a line to a step's input." };
  if (source === target) return { refused: "A step cannot be connected to itself." };
  const after = targetStep.after ?? [];
  if (source === TRIGGER_ID) {
    if (after.length === 0) return document;
    return {
      refused: `"${target}" already takes its input from other steps; a step takes the trigger's output only when nothing else feeds it.`,
    };
  }
  if (!steps.some((step) => step.id === source)) return { refused: `There is no step "${source}".` };
  const ref = refFor(source, port);
  if (after.includes(ref)) return document;
  if (downstreamOf(document, [target]).has(source)) {
    return { refused: `Connecting "${source}" to "${target}" would make a loop: "${source}" already comes after "${target}".` };
  }
  return replaceStep(document, { ...targetStep, after: [...after, ref] });
}

export function isRefusal(value: WorkflowDocument | Refusal): value is Refusal {
  return "refused" in value;
}

/** Removes the connection `ref` (e.g. "split.A") → `target`. */
export function deleteConnection(document: WorkflowDocument, ref: string, target: string): WorkflowDocument {
  const targetStep = (document.steps ?? []).find((step) => step.id === target);
  if (!targetStep || !(targetStep.after ?? []).includes(ref)) return document;
  return replaceStep(document, { ...targetStep, after: (targetStep.after ?? []).filter((each) => each !== ref) });
}

/** Removes a step, its position, and every reference to it (any port) from other steps' `after`. */
export function deleteStep(document: WorkflowDocument, id: string): WorkflowDocument {
  const steps = document.steps ?? [];
  if (!steps.some((step) => step.id === id)) return document;
  const remaining = steps
    .filter((step) => step.id !== id)
    .map((step) => {
      const after = step.after ?? [];
      const kept = after.filter((ref) => parseRef(ref).source !== id);
      return kept.length === after.length ? step : { ...step, after: kept };
    });
  const layout = { ...(document.layout ?? {}) };
  delete layout[id];
  return { ...document, steps: remaining, layout };
}

/** Removes several steps at once (a box selection): each as `deleteStep` does, in one document. */
export function deleteSteps(document: WorkflowDocument, ids: readonly string[]): WorkflowDocument {
  return ids.reduce(deleteStep, document);
}

/** Stores node positions (a drag, or "Organize steps") in `document.layout`, rounded to whole pixels. */
export function moveNodes(document: WorkflowDocument, positions: Record<string, { x: number; y: number }>): WorkflowDocument {
  const layout = { ...(document.layout ?? {}) };
  let changed = false;
  for (const [id, { x, y }] of Object.entries(positions)) {
    const place = { x: Math.round(x), y: Math.round(y) };
    const before = layout[id];
    if (before && before.x === place.x && before.y === place.y) continue;
    layout[id] = place;
    changed = true;
  }
  return changed ? { ...document, layout } : document;
}

function replaceStep(document: WorkflowDocument, replacement: Step): WorkflowDocument {
  return { ...document, steps: (document.steps ?? []).map((step) => (step.id === replacement.id ? replacement : step)) };
}

/**
 * Where the toolbar's "Add new step" connects from: the selected step (a Distribute's first group) or the
 * trigger, else the last step nothing comes after yet, else the trigger (null without one).
 */
export function defaultAddAfter(
  document: WorkflowDocument,
  selected: string | null,
  kinds: ReadonlyMap<string, StepKind> = new Map(),
): string | null {
  const steps = document.steps ?? [];
  const firstPort = (step: Step) => stepPorts(step, kinds.get(step.type))[0];
  const chosen = selected === null ? undefined : steps.find((step) => step.id === selected);
  if (chosen) return refFor(chosen.id, firstPort(chosen));
  if (selected === TRIGGER_ID) return TRIGGER_ID;
  const fed = downstreamIndex(document);
  const sink = [...steps].reverse().find((step) => !fed.has(step.id));
  if (sink) return refFor(sink.id, firstPort(sink));
  return document.trigger ? TRIGGER_ID : null;
}
