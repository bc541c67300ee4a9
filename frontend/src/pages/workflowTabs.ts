// Which tab of a workflow a path shows: /workflows/:id (Editor), …/runs, …/runs/:runId, …/settings.
export type WorkflowTab = "editor" | "runs" | "settings";

/** The tab (and run) of the path after `/workflows/:id/` (React Router decodes it); anything unknown shows the Editor. */
export function tabOf(rest: string): { tab: WorkflowTab; runId?: string } {
  const [first = "", second, ...more] = rest.split("/").filter((part) => part !== "");
  if (first === "settings" && second === undefined) return { tab: "settings" };
  if (first === "runs" && more.length === 0) return second ? { tab: "runs", runId: second } : { tab: "runs" };
  return { tab: "editor" };
}
