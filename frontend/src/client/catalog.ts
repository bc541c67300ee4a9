// GET /api/steps: step kinds with their side-panel forms (JSON Schema), how the canvas draws them (icon, colour,
// ports, fields per mode), trigger kinds, the set's columns. POST /api/steps/summaries: each node's one line.
// Everything about a kind comes from here: the UI keeps no copy of titles, ports or summaries.
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
  /** SVG path data on a 24×24 grid, drawn as a 2-px stroke. */
  icon: string;
  /** A Mantine palette name: the node's accent, its box on the minimap. */
  color: string;
  /** Null: one output port, "out". Else one port per item of `config[list_field]`, named by its `name_field`. */
  ports_from: { list_field: string; name_field: string } | null;
  /** Fields only some settings read: field key (any depth) → {config field: values that show it}. */
  shown_when: Record<string, Record<string, string[]>>;
}

export interface TriggerKind {
  type: string;
  title: string;
  icon: string;
  color: string;
}

/** One step node's line (POST /steps/summaries). */
export interface StepSummary {
  summary: string;
  /** False while its config is not one the kind accepts ("Not set up yet"). */
  complete: boolean;
  ports: string[];
}

export interface NodeSummaries {
  trigger: string | null;
  steps: Record<string, StepSummary>;
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

let known: StepCatalog | null = null;

/** The catalog last answered (titles for pages that show a step's name without loading it themselves). */
export function knownCatalog(): StepCatalog | null {
  return known;
}

export const catalog = {
  steps: (signal?: AbortSignal) =>
    request<StepCatalog>("GET", "/steps", { signal }).then((answer) => {
      known = answer;
      return answer;
    }),
  /** Each node's line and ports for this document as the canvas holds it (each kind's own summary; stores nothing). */
  summaries: (document: unknown, signal?: AbortSignal) => request<NodeSummaries>("POST", "/steps/summaries", { body: document, signal }),
  /** Per step id, the columns its input will have in this document (validation's own rules; stores nothing). */
  stepColumns: (document: unknown, signal?: AbortSignal) =>
    request<{ columns: Record<string, Column[]> }>("POST", "/steps/columns", { body: document, signal }),
};
