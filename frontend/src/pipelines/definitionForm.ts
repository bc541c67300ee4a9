// The pipeline form's state and the API body: the form holds every field of each criterion's kind (unset optional
// fields as null, prices as numbers) so inputs are always controlled; the body sends only what the server accepts.
import type { Criterion, PipelineDefinition, SentimentThresholds, Stages } from "../client/pipelines";
import type { Issue } from "../client/types";
import { KIND_DEFAULTS } from "./criteria";

export type PipelineForm = Omit<PipelineDefinition, "prices" | "version"> & {
  prices: { analysis_per_conversation: number; transcription_per_audio_minute: number };
};

const DEFAULT_STAGES: Stages = { transcribe: true, sentiment: true, score: true, measures: true };
const DEFAULT_SENTIMENT: SentimentThresholds = { negative_below: -0.05, positive_above: 0.05 };

const BASE_FIELDS = ["name", "title", "weight", "kind"] as const;

function toNumber(value: number | string | undefined | null, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const parsed = typeof value === "number" ? value : Number(value);
  return Number.isFinite(parsed) ? parsed : fallback;
}

function criterionToForm(criterion: Criterion): Criterion {
  const defaults = KIND_DEFAULTS[criterion.kind] ?? {};
  const source = criterion as unknown as Record<string, unknown>;
  const form: Record<string, unknown> = {
    ...structuredClone(defaults),
    ...source,
    title: criterion.title ?? "",
    weight: criterion.weight ?? 1,
  };
  if (Array.isArray(form.phrases)) form.phrases = [...(form.phrases as string[])];
  return form as unknown as Criterion;
}

/** A definition from the API as the form's state. */
export function toForm(definition: PipelineDefinition): PipelineForm {
  return {
    name: definition.name,
    description: definition.description ?? "",
    // A definition from an older server may lack a section: the server's defaults fill it.
    stages: { ...DEFAULT_STAGES, ...(definition.stages as Partial<Stages> | undefined) },
    sentiment: { ...DEFAULT_SENTIMENT, ...(definition.sentiment as Partial<SentimentThresholds> | undefined) },
    scorecard: (definition.scorecard ?? []).map(criterionToForm),
    prices: {
      analysis_per_conversation: toNumber(definition.prices?.analysis_per_conversation, 1),
      transcription_per_audio_minute: toNumber(definition.prices?.transcription_per_audio_minute, 0.5),
    },
  };
}

function criterionToBody(criterion: Criterion): Criterion {
  const source = criterion as unknown as Record<string, unknown>;
  const allowed = new Set<string>([...BASE_FIELDS, ...Object.keys(KIND_DEFAULTS[criterion.kind] ?? source)]);
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (!allowed.has(key)) continue; // a field of another kind left over would be refused (extra="forbid")
    if (value === null || value === undefined || value === "") continue; // unset: the server's default applies
    body[key] = key === "phrases" ? (value as string[]).map((phrase) => phrase.trim()).filter(Boolean) : value;
  }
  if (typeof body.title === "string") body.title = body.title.trim() || undefined;
  if (body.title === undefined) delete body.title;
  return body as unknown as Criterion;
}

/** The form's state as the body of POST /pipelines and PUT /pipelines/{name}. */
export function toBody(form: PipelineForm): PipelineDefinition {
  return {
    name: form.name.trim(),
    description: form.description.trim(),
    stages: { ...form.stages },
    sentiment: { ...form.sentiment },
    scorecard: form.scorecard.map(criterionToBody),
    prices: { ...form.prices },
  };
}

/** A new pipeline: all stages on, default thresholds and prices, an empty scorecard. */
export function emptyForm(name = ""): PipelineForm {
  return toForm({
    name,
    description: "",
    stages: { transcribe: true, sentiment: true, score: true, measures: true },
    sentiment: { negative_below: -0.05, positive_above: 0.05 },
    scorecard: [],
    prices: { analysis_per_conversation: 1, transcription_per_audio_minute: 0.5 },
  });
}

const KIND_SEGMENT = /^(scorecard\[\d+\])\.[a-z_]+(?=\.|$)/;

/**
 * A 422 issue's path as the form's field key: "body.scorecard[0].phrase_said.phrases[1]" → "scorecard[0].phrases".
 * Pydantic puts the request wrapper first and the union's tag (the kind) after a criterion's index.
 */
export function fieldKey(path: string): string {
  let key = path.replace(/^(body(\.|$))?(definition(\.|$))?/, "");
  const kindMatch = KIND_SEGMENT.exec(key);
  if (kindMatch) {
    const tag = key.slice(kindMatch[1].length + 1).split(".")[0];
    if (tag in KIND_DEFAULTS) key = kindMatch[1] + key.slice(kindMatch[1].length + 1 + tag.length);
  }
  // An item of a list field (a phrase) marks the list's input.
  return key.replace(/(\.[a-z_]+)\[\d+\]$/, "$1");
}

/** Issues by field key (several on one field joined), for `error=` on each input. */
export function fieldErrors(issues: readonly Issue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const key = fieldKey(issue.path);
    errors[key] = errors[key] ? `${errors[key]}; ${issue.message}` : issue.message;
  }
  return errors;
}

/** Errors of one criterion (keys without the "scorecard[i]." prefix); "" holds the criterion's own. */
export function criterionErrors(errors: Record<string, string>, index: number): Record<string, string> {
  const prefix = `scorecard[${index}]`;
  const found: Record<string, string> = {};
  for (const [key, message] of Object.entries(errors)) {
    if (key === prefix) found[""] = message;
    else if (key.startsWith(`${prefix}.`)) found[key.slice(prefix.length + 1)] = message;
  }
  return found;
}
