// What a JSON Schema alone cannot say about a field: which special input a key gets (the pipelines, the
// integrations, the set's columns) and readable labels of enum values. Which fields a mode uses is the step
// kind's own (`shown_when` in the catalog; visibility.ts).

/** Widgets chosen by a field's key, whatever the step (the same key means the same thing everywhere). */
export const KEY_WIDGETS: Record<string, "pipeline" | "integration" | "column" | "columns" | "textarea" | "groupName"> = {
  pipeline: "pipeline",
  integration: "integration",
  /** Sort's `by[].field`. (A condition's rule also has a `field`, but conditions have their own editor.) */
  field: "column",
  balance_by: "column",
  columns: "columns",
  message: "textarea",
  /** Distribute's `otherwise`: one of the step's own group names. */
  otherwise: "groupName",
};

/** The "add" button of a list of objects, by the list's key. */
export const ADD_ITEM_LABELS: Record<string, string> = {
  by: "Add sort column",
  groups: "Add group",
};

const ENUM_LABELS: Record<string, string> = {
  all: "All",
  trigger: "The trigger's conversations",
  processed: "Processed",
  unprocessed: "Unprocessed",
  newest: "Newest first",
  oldest: "Oldest first",
  random: "Random",
  asc: "Ascending",
  desc: "Descending",
  csv: "CSV",
  xlsx: "Excel (.xlsx)",
  counts: "Counts",
  percentage: "Percentage",
  rules: "Rules",
  round_robin: "Round-robin",
  and: "AND",
  or: "OR",
};

/** A readable label for an enum value: the known ones by name, others with the first letter raised. */
export function enumLabel(value: string): string {
  const known = ENUM_LABELS[value];
  if (known) return known;
  const words = value.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
