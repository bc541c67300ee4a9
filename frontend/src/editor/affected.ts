// The deletion confirmation's sentence about what depends on what is deleted.

/** "2 steps after this one will be affected." (or that nothing depends on it); `several` for a multi-deletion. */
export function affectedMessage(count: number, several = false): string {
  if (count === 0) return `No other steps depend on ${several ? "them" : "it"}.`;
  return `${count} ${count === 1 ? "step" : "steps"} after ${several ? "these" : "this one"} will be affected.`;
}
