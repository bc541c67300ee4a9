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
