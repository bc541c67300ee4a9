// A node's issues: Final checks of the last saved draft, plus those of a save the server refused (a 422
// whose `errors[]` name the node), so a refused edit is explained where it was made.
import { ApiError, type Issue } from "../client";
import type { Draft } from "../editor/context";

export function nodeIssues(draft: Pick<Draft, "issues" | "saveError">, node: string): Issue[] {
  const refused = draft.saveError instanceof ApiError ? draft.saveError.errors : [];
  const seen = new Set<string>();
  return [...draft.issues, ...refused].filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (issue.node !== node || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
