// Which fields of a step's form show, by the step kind's own rule (GET /api/steps: each kind's `shown_when`,
// declared in steps/<kind>.py). The UI keeps no copy of which field a mode reads.
import type { StepKind } from "../client";

export type ShownWhen = StepKind["shown_when"];

/** Whether a field holds something worth keeping on screen (a saved value is never hidden). */
function holdsValue(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}

/**
 * Whether the field `key` (at any depth) shows for a step whose kind declares `shownWhen` and whose whole config
 * is `config`: a field with no rule always shows; one with a rule shows when every config field the rule names
 * holds one of its values, or when the field itself holds a value (so nothing saved is ever hidden).
 */
export function isFieldShown(shownWhen: ShownWhen, key: string, config: Record<string, unknown>, value: unknown): boolean {
  const rule = shownWhen[key];
  if (!rule) return true;
  if (holdsValue(value)) return true;
  return Object.entries(rule).every(([setting, values]) => {
    const current = config[setting];
    // A setting not chosen yet (or not a string) decides nothing: the field shows until it is chosen.
    return typeof current !== "string" || values.includes(current);
  });
}
