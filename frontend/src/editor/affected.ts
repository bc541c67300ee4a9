// The deletion confirmation's sentence about what depends on what is deleted.

/** "2 steps after this one will be affected." (or that nothing depends on it). */
export function affectedMessage(count: number): string {
  if (count === 0) return "No other steps depend on it.";
  return `${count} ${count === 1 ? "step" : "steps"} after this one will be affected.`;
}
