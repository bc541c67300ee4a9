// GET /api/steps: step kinds with their side-panel forms (JSON Schema), trigger kinds, the set's columns.
import { request } from "./http";

export interface StepKind {
  type: string;
  title: string;
  description: string;
  /** False for a step that starts a branch (Select Conversations). */
  takes_input: boolean;
  /** JSON Schema of the step's config (pydantic): each property has title, description and `helper`. */
  config_schema: JsonSchema;
  /** What a step of this kind starts with when added on the canvas. */
  initial_config?: Record<string, unknown>;
}

export interface TriggerKind {
  type: string;
  title: string;
}

export type ColumnKind = "text" | "number" | "boolean" | "datetime" | "text_list";

export interface Column {
  name: string;
  kind: ColumnKind;
  /** Added by Process Conversations. */
  analysis: boolean;
}

export interface StepCatalog {
  steps: StepKind[];
  triggers: TriggerKind[];
  columns: Column[];
}

/** A JSON Schema object as pydantic writes it (properties, $defs, anyOf, enum, helper …). */
export type JsonSchema = { [key: string]: unknown };

export const catalog = {
  steps: (signal?: AbortSignal) => request<StepCatalog>("GET", "/steps", { signal }),
  /** Per step id, the columns its input will have in this document (validation's own rules; stores nothing). */
  stepColumns: (document: unknown, signal?: AbortSignal) =>
    request<{ columns: Record<string, Column[]> }>("POST", "/steps/columns", { body: document, signal }),
};
