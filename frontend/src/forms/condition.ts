// Conditions (the `Group` of a step's config) are react-querybuilder's own shape: {combinator, not, rules}
// with rules {field, operator, value}. The builder adds ids (and may add paths / value sources) to what it
// edits; those never go into the saved document. Pure: the builder itself is in ConditionField.tsx.
import type { Column, ColumnKind } from "../client";

export interface ConditionRule {
  field: string;
  operator: string;
  value?: unknown;
}

export interface Condition {
  combinator: string;
  not?: boolean;
  rules: (ConditionRule | Condition)[];
}

const BUILDER_KEYS = new Set(["id", "path"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Operators whose value is a list (`in`) or a pair (`between`). */
const LIST_OPERATORS = new Set(["in", "notIn", "between", "notBetween"]);

/**
 * The condition without what the builder adds: ids, paths, and the default `valueSource: "value"`. A list
 * typed as text ("Dana, Sam") becomes a list, its items numbers on the `numeric` columns.
 */
export function cleanCondition(value: unknown, numeric: ReadonlySet<string> = new Set()): Condition {
  const group = isRecord(value) ? value : {};
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(group)) {
    if (BUILDER_KEYS.has(key)) continue;
    if (key === "rules") continue;
    out[key] = item;
  }
  out.combinator = typeof group.combinator === "string" ? group.combinator : "and";
  if (out.not === false) delete out.not;
  const rules = Array.isArray(group.rules) ? group.rules : [];
  out.rules = rules.filter(isRecord).map((rule) => ("rules" in rule ? cleanCondition(rule, numeric) : cleanRule(rule, numeric)));
  return out as unknown as Condition;
}

function listValue(value: unknown, numeric: boolean): unknown {
  const items = typeof value === "string" ? value.split(",").map((item) => item.trim()).filter(Boolean) : value;
  if (!Array.isArray(items) || !numeric) return items;
  return items.map((item) => (typeof item === "string" && item.trim() !== "" && !Number.isNaN(Number(item)) ? Number(item) : item));
}

function cleanRule(rule: Record<string, unknown>, numeric: ReadonlySet<string>): ConditionRule {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(rule)) {
    if (BUILDER_KEYS.has(key)) continue;
    if (key === "valueSource" && item === "value") continue;
    out[key] = item;
  }
  // Operators without a value ("null", "notNull") keep none.
  if (out.operator === "null" || out.operator === "notNull") delete out.value;
  else if (typeof out.operator === "string" && LIST_OPERATORS.has(out.operator))
    out.value = listValue(out.value, typeof out.field === "string" && numeric.has(out.field));
  return out as unknown as ConditionRule;
}

export function sameCondition(a: unknown, b: unknown, numeric: ReadonlySet<string> = new Set()): boolean {
  return JSON.stringify(cleanCondition(a, numeric)) === JSON.stringify(cleanCondition(b, numeric));
}

/** The columns whose values are numbers (so `score in 1, 2` holds numbers). */
export function numericColumns(columns: Column[]): Set<string> {
  return new Set(columns.filter((column) => column.kind === "number").map((column) => column.name));
}

const COMPARE = ["=", "!=", "<", "<=", ">", ">=", "between", "notBetween", "in", "notIn", "null", "notNull"];
const TEXT = ["=", "!=", "contains", "doesNotContain", "beginsWith", "endsWith", "in", "notIn", "null", "notNull"];

/** Which operators make sense on a column of each kind (SPEC appendix A's operator names). */
export const OPERATORS_BY_KIND: Record<ColumnKind, string[]> = {
  number: COMPARE,
  datetime: COMPARE,
  text: TEXT,
  boolean: ["=", "!=", "null", "notNull"],
  text_list: ["contains", "doesNotContain", "null", "notNull"],
};

const OPERATOR_LABELS: Record<string, string> = {
  "=": "=",
  "!=": "!=",
  "<": "<",
  "<=": "<=",
  ">": ">",
  ">=": ">=",
  contains: "contains",
  doesNotContain: "does not contain",
  beginsWith: "begins with",
  endsWith: "ends with",
  in: "in",
  notIn: "not in",
  between: "between",
  notBetween: "not between",
  null: "is empty",
  notNull: "is not empty",
};

/** A builder field for each column: its operators and the input its values need. */
export interface ConditionField {
  name: string;
  label: string;
  operators: { name: string; value: string; label: string }[];
  inputType?: string;
  valueEditorType?: "checkbox" | "text";
}

export function conditionFields(columns: Column[]): ConditionField[] {
  return columns.map((column) => ({
    name: column.name,
    label: column.name,
    operators: OPERATORS_BY_KIND[column.kind].map((name) => ({ name, value: name, label: OPERATOR_LABELS[name] ?? name })),
    ...(column.kind === "number" ? { inputType: "number" } : {}),
    ...(column.kind === "datetime" ? { inputType: "datetime-local" } : {}),
  }));
}

export function emptyCondition(): Condition {
  return { combinator: "and", rules: [] };
}
