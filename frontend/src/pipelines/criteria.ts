// The scorecard's criterion kinds: their labels, their defaults and which fields each one has, so the editor, the
// form conversion and the tests agree on one table (mirrors src/redflare/analysis/pipeline.py).
import type { Criterion, CriterionKind } from "../client/pipelines";

export const KIND_LABELS: Record<CriterionKind, string> = {
  phrase_said: "Phrase said",
  phrase_not_said: "Phrase not said",
  sentiment_start: "Sentiment at start",
  sentiment_end: "Sentiment at end",
  duration_range: "Duration within a range",
  measure_range: "Measure within a range",
};

export const KINDS = Object.keys(KIND_LABELS) as CriterionKind[];

/** The measures a measure_range criterion can bound (the outcome's measure columns). */
export const MEASURES: { value: string; label: string }[] = [
  { value: "talk_ratio", label: "Talk ratio (agent share)" },
  { value: "turns", label: "Turns" },
  { value: "silence_s", label: "Total silence (s)" },
  { value: "longest_silence_s", label: "Longest silence (s)" },
  { value: "interruptions", label: "Interruptions" },
  { value: "agent_response_s", label: "Agent response time (s)" },
  { value: "duration_s", label: "Duration (s)" },
];

/** Every field of each kind beyond name/title/weight, with the server's default (null = optional, unset). */
export const KIND_DEFAULTS: Record<CriterionKind, Record<string, unknown>> = {
  phrase_said: {
    phrases: [],
    speaker: "agent",
    threshold: 85,
    within_first_turns: null,
    within_last_turns: null,
    when_customer_sentiment_below: null,
  },
  phrase_not_said: { phrases: [], speaker: "agent", threshold: 90 },
  sentiment_start: { above: 0, below: null, speaker: "customer", first_turns: 2 },
  sentiment_end: { above: 0, below: null, speaker: "customer", last_turns: 2 },
  duration_range: { min_s: null, max_s: null },
  measure_range: { measure: "talk_ratio", min: null, max: null },
};

/** A criterion name the server accepts (a column criterion.<name>): lowercase words joined by "_". */
export function criterionName(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** A name not yet taken: kind, kind_2, kind_3 … */
export function freshName(kind: CriterionKind, taken: readonly string[]): string {
  if (!taken.includes(kind)) return kind;
  let n = 2;
  while (taken.includes(`${kind}_${n}`)) n += 1;
  return `${kind}_${n}`;
}

/** A new criterion of this kind with the server's defaults. */
export function newCriterion(kind: CriterionKind, taken: readonly string[]): Criterion {
  return { name: freshName(kind, taken), title: "", weight: 1, kind, ...structuredClone(KIND_DEFAULTS[kind]) } as Criterion;
}

/** The same criterion as another kind: name, title and weight stay, the kind's own fields start from defaults. */
export function changeKind(criterion: Criterion, kind: CriterionKind): Criterion {
  if (criterion.kind === kind) return criterion;
  const kept: Record<string, unknown> = { name: criterion.name, title: criterion.title ?? "", weight: criterion.weight ?? 1 };
  // Phrases carry over between the two phrase kinds: switching "said" to "not said" keeps the list.
  const defaults = structuredClone(KIND_DEFAULTS[kind]);
  if ("phrases" in criterion && "phrases" in defaults) defaults.phrases = [...criterion.phrases];
  return { ...kept, kind, ...defaults } as Criterion;
}
