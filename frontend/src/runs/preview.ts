// Pure helpers of the output preview table: which columns, and a cell as short text.

const MAX_CELL = 80;

/** A cell as text: lists joined, objects as JSON, long text cut. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text: string;
  if (Array.isArray(value)) text = value.map((item) => (typeof item === "object" ? JSON.stringify(item) : String(item))).join(", ");
  else if (typeof value === "object") text = JSON.stringify(value);
  else if (typeof value === "number") text = Number.isInteger(value) ? String(value) : String(Math.round(value * 1000) / 1000);
  else text = String(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** Every column of the rows, in first-seen order. */
export function previewColumns(rows: Array<Record<string, unknown>>): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

const CRITERION = "criterion.";
const VERDICTS: Record<string, string> = { true: "Pass", false: "Fail" };

/**
 * A criterion column's cell (`criterion.<name>`): the verdict as a word ("Pass", "Fail", "N/A" for not applicable)
 * and why, when the reasons for its row's conversation say; null for any other column.
 */
export function criterionCell(
  column: string,
  row: Record<string, unknown>,
  reasons: Record<string, Record<string, string>> | undefined,
): { text: string; reason: string | null } | null {
  if (!column.startsWith(CRITERION)) return null;
  const value = row[column];
  const text = typeof value === "boolean" ? VERDICTS[String(value)] : value === null || value === undefined ? "N/A" : cellText(value);
  const id = typeof row.id === "string" ? row.id : null;
  const reason = id ? (reasons?.[id]?.[column.slice(CRITERION.length)] ?? null) : null;
  return { text, reason };
}
