// Immutable edits of a step's config as the form changes it. Empty values are left out of the document
// (an optional field stays absent; a required one is then flagged by Final checks), unknown keys are kept.

/** Nothing entered: undefined, null, "", or an empty list. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === "" || (Array.isArray(value) && value.length === 0);
}

/** `object` with `key` set to `value`, or without `key` when the value is empty. */
export function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const { [key]: _old, ...rest } = object;
  return isEmpty(value) ? rest : { ...rest, [key]: value };
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** `list` with item `index` replaced. */
export function withItem<T>(list: T[], index: number, item: T): T[] {
  return list.map((old, at) => (at === index ? item : old));
}

/** `list` with item `index` moved by `offset` (−1 up, +1 down); unchanged at the ends. */
export function moved<T>(list: T[], index: number, offset: number): T[] {
  const target = index + offset;
  if (target < 0 || target >= list.length) return list;
  const next = [...list];
  [next[index], next[target]] = [next[target], next[index]];
  return next;
}
