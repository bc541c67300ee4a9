// A step's config JSON Schema (pydantic's: $defs, $ref, anyOf with null for optional fields, enum, arrays of
// objects) as a list of field descriptions the side panel renders. Pure: no React.
import type { JsonSchema } from "../client";
import { KEY_WIDGETS, enumLabel } from "./hints";
import { templateVariablesOf, type TemplateVariables } from "./templateVariables";

export type Widget =
  | { kind: "text" }
  | { kind: "textarea" }
  | { kind: "number"; integer: boolean; min?: number; max?: number }
  | { kind: "boolean" }
  | { kind: "enum"; options: string[] }
  /** A condition (the `Group` definition): react-querybuilder. */
  | { kind: "condition" }
  | { kind: "pipeline" }
  | { kind: "integration" }
  /** One column name of the conversation set. */
  | { kind: "column" }
  /** One of the step's own Distribute group names. */
  | { kind: "groupName" }
  /** Several column names, in order. */
  | { kind: "columns" }
  /** A list of free strings (recipients). */
  | { kind: "tags" }
  /** A list of objects (Sort's keys, Distribute's groups). */
  | { kind: "list"; fields: FieldSpec[] }
  | { kind: "object"; fields: FieldSpec[] }
  /** One of several shapes (Select Conversations' source: an integration, a pipeline, "all", "trigger"). */
  | { kind: "choice"; options: ChoiceOption[] }
  /** Anything else: edited as JSON. */
  | { kind: "json" };

export type ChoiceOption =
  /** An object alternative with one key, e.g. `{integration: NAME}`. */
  | { kind: "object"; label: string; key: string; field: FieldSpec }
  | { kind: "const"; label: string; value: string };

export interface FieldSpec {
  key: string;
  title: string;
  description: string | null;
  helper: string | null;
  required: boolean;
  /** Optional in the pydantic sense (`anyOf` with null): leaving it empty is fine. */
  nullable: boolean;
  default: unknown;
  widget: Widget;
  /** A template field's variables (the schema's `template_variables`), offered as a clickable list. */
  variables?: TemplateVariables | null;
}

type Schema = Record<string, unknown>;

const GROUP_DEF = "Group";
const ANNOTATIONS = ["title", "description", "helper", "default", "template_variables"] as const;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function refName(schema: Schema): string | null {
  return typeof schema.$ref === "string" ? (schema.$ref.split("/").pop() ?? null) : null;
}

/** Follows a `$ref` into the root's `$defs`; the referencing schema's own annotations win. */
function resolve(schema: Schema, root: Schema): Schema {
  const name = refName(schema);
  if (!name) return schema;
  const defs = isSchema(root.$defs) ? root.$defs : {};
  const target = isSchema(defs[name]) ? defs[name] : {};
  const { $ref: _ref, ...own } = schema;
  return { ...target, ...own };
}

function annotationsOf(schema: Schema): Schema {
  const out: Schema = {};
  for (const key of ANNOTATIONS) if (key in schema) out[key] = schema[key];
  return out;
}

function isNull(schema: unknown): boolean {
  return isSchema(schema) && schema.type === "null";
}

function text(value: unknown): string | null {
  return typeof value === "string" && value ? value : null;
}

function humanize(key: string): string {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function numberWidget(schema: Schema): Widget {
  const min = typeof schema.minimum === "number" ? schema.minimum : undefined;
  const max = typeof schema.maximum === "number" ? schema.maximum : undefined;
  return { kind: "number", integer: schema.type === "integer", min, max };
}

function choiceOptions(alternatives: Schema[], root: Schema): ChoiceOption[] {
  const options: ChoiceOption[] = [];
  for (const alternative of alternatives) {
    const resolved = resolve(alternative, root);
    if (Array.isArray(resolved.enum)) {
      for (const value of resolved.enum) if (typeof value === "string") options.push({ kind: "const", value, label: enumLabel(value) });
      continue;
    }
    if (typeof resolved.const === "string") {
      options.push({ kind: "const", value: resolved.const, label: enumLabel(resolved.const) });
      continue;
    }
    const fields = describeFields(resolved, root);
    if (fields.length === 1) options.push({ kind: "object", key: fields[0].key, label: fields[0].title, field: fields[0] });
  }
  return options;
}

function widgetOf(key: string, schema: Schema, root: Schema, alternatives: Schema[]): Widget {
  if (alternatives.length > 1) return { kind: "choice", options: choiceOptions(alternatives, root) };
  if (refName(schema) === GROUP_DEF) return { kind: "condition" };
  const resolved = resolve(schema, root);
  const hinted = KEY_WIDGETS[key];
  if (hinted === "columns" && resolved.type === "array") return { kind: "columns" };
  if (hinted && hinted !== "columns" && resolved.type === "string" && !Array.isArray(resolved.enum)) return { kind: hinted };
  if (Array.isArray(resolved.enum)) return { kind: "enum", options: resolved.enum.filter((v): v is string => typeof v === "string") };
  switch (resolved.type) {
    case "string":
      return { kind: "text" };
    case "integer":
    case "number":
      return numberWidget(resolved);
    case "boolean":
      return { kind: "boolean" };
    case "array": {
      const items = isSchema(resolved.items) ? resolve(resolved.items, root) : {};
      if (items.type === "string") return { kind: "tags" };
      if (items.type === "object") return { kind: "list", fields: describeFields(items, root) };
      return { kind: "json" };
    }
    case "object":
      return isSchema(resolved.properties) ? { kind: "object", fields: describeFields(resolved, root) } : { kind: "json" };
    default:
      return { kind: "json" };
  }
}

/** One property of an object schema, described. */
export function describeField(key: string, property: Schema, root: Schema, required: boolean): FieldSpec {
  let schema = property;
  let nullable = false;
  let alternatives: Schema[] = [];
  if (Array.isArray(property.anyOf)) {
    const options = property.anyOf.filter(isSchema);
    nullable = options.some(isNull);
    alternatives = options.filter((option) => !isNull(option));
    // One real alternative: the field is that, optional. Keep the property's own annotations.
    if (alternatives.length === 1) {
      schema = { ...alternatives[0], ...annotationsOf(property) };
      alternatives = [];
    }
  }
  const annotated = { ...resolve(schema, root), ...annotationsOf(property) };
  return {
    key,
    title: text(annotated.title) ?? humanize(key),
    description: text(annotated.description),
    helper: text(annotated.helper),
    required,
    nullable,
    default: annotated.default,
    widget: widgetOf(key, schema, root, alternatives),
    variables: templateVariablesOf(annotated.template_variables),
  };
}

/** The fields of an object schema, in the schema's order. `root` holds the `$defs`. */
export function describeFields(schema: JsonSchema, root: JsonSchema = schema): FieldSpec[] {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(properties)
    .filter((entry): entry is [string, Schema] => isSchema(entry[1]))
    .map(([key, property]) => describeField(key, property, root, required.has(key)));
}

/** Which option of a choice field a value is (null: none chosen). */
export function chosenOption(options: ChoiceOption[], value: unknown): ChoiceOption | null {
  if (typeof value === "string") return options.find((option) => option.kind === "const" && option.value === value) ?? null;
  if (isSchema(value)) return options.find((option) => option.kind === "object" && option.key in value) ?? null;
  return null;
}
