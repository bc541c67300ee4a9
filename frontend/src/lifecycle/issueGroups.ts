// Final checks grouped by canvas node, in the canvas's reading order: trigger, each step, then the workflow.
// Pure (no React) so the grouping can be tested on its own.
import type { Issue, WorkflowDocument } from "../client";
import { stepTitle, triggerTitle } from "../steps";

export interface IssueGroup {
  /** "trigger", a step id, "workflow", or null (an issue no node owns). */
  node: string | null;
  /** What the group is called in the panel: the trigger's or step's title with its id. */
  label: string;
  issues: Issue[];
}

/** The heading of a node's group: "Trigger: On a Schedule", "Filter (low)", "Workflow". */
export function nodeLabel(node: string | null, document: WorkflowDocument): string {
  if (node === "trigger") return document.trigger ? `Trigger: ${triggerTitle(document.trigger)}` : "Trigger";
  if (node === null || node === "workflow") return "Workflow";
  const step = document.steps?.find((candidate) => candidate.id === node);
  return step ? `${stepTitle(step.type)} (${step.id})` : `Step ${node}`;
}

/** Issues per node: trigger first, steps in document order, unknown steps next, the workflow last. */
export function groupIssuesByNode(issues: Issue[], document: WorkflowDocument): IssueGroup[] {
  const byNode = new Map<string | null, Issue[]>();
  for (const issue of issues) {
    // A workflow-level issue may come with node "workflow" or none: one group for both.
    const key = issue.node === "workflow" ? null : issue.node;
    byNode.set(key, [...(byNode.get(key) ?? []), issue]);
  }
  const stepOrder = (document.steps ?? []).map((step) => step.id);
  const rank = (node: string | null): number => {
    if (node === "trigger") return -1;
    if (node === null) return Number.MAX_SAFE_INTEGER;
    const index = stepOrder.indexOf(node);
    return index === -1 ? stepOrder.length : index;
  };
  return [...byNode.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([node, grouped]) => ({ node, label: nodeLabel(node, document), issues: grouped }));
}

/** Whether clicking an issue of this node can select something on the canvas. */
export function isSelectable(node: string | null, document: WorkflowDocument): node is string {
  if (node === "trigger") return true;
  return node !== null && (document.steps ?? []).some((step) => step.id === node);
}
