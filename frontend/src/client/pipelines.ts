// Pipelines over the API (issue P6 "Pipelines as data"): list, one pipeline with its versions, create, edit (a new
// version when the definition changed), archive, and try a pipeline on one conversation without storing a result.
import { request } from "./http";

export type Speaker = "agent" | "customer" | "any";

export interface Stages {
  transcribe: boolean;
  sentiment: boolean;
  score: boolean;
  measures: boolean;
}

export interface SentimentThresholds {
  negative_below: number;
  positive_above: number;
}

/** Credits; the server writes decimals as strings ("0.5"), accepts numbers. */
export interface Prices {
  analysis_per_conversation: number | string;
  transcription_per_audio_minute: number | string;
}

interface CriterionBase {
  name: string;
  title?: string | null;
  weight?: number;
}

export interface PhraseSaidCriterion extends CriterionBase {
  kind: "phrase_said";
  phrases: string[];
  speaker?: Speaker;
  threshold?: number;
  within_first_turns?: number | null;
  within_last_turns?: number | null;
  when_customer_sentiment_below?: number | null;
}

export interface PhraseNotSaidCriterion extends CriterionBase {
  kind: "phrase_not_said";
  phrases: string[];
  speaker?: Speaker;
  threshold?: number;
}

export interface SentimentEndCriterion extends CriterionBase {
  kind: "sentiment_end";
  above?: number;
  /** Also require the average below this. */
  below?: number | null;
  speaker?: Speaker;
  last_turns?: number;
}

export interface SentimentStartCriterion extends CriterionBase {
  kind: "sentiment_start";
  /** At least one of above / below. */
  above?: number | null;
  below?: number | null;
  speaker?: Speaker;
  first_turns?: number;
}

export interface DurationRangeCriterion extends CriterionBase {
  kind: "duration_range";
  min_s?: number | null;
  max_s?: number | null;
}

export interface MeasureRangeCriterion extends CriterionBase {
  kind: "measure_range";
  measure: string;
  min?: number | null;
  max?: number | null;
}

export type Criterion =
  | PhraseSaidCriterion
  | PhraseNotSaidCriterion
  | SentimentEndCriterion
  | SentimentStartCriterion
  | DurationRangeCriterion
  | MeasureRangeCriterion;

export type CriterionKind = Criterion["kind"];

/** The PipelineDefinition document (src/redflare/analysis/pipeline.py). */
export interface PipelineDefinition {
  name: string;
  version?: number;
  description: string;
  stages: Stages;
  sentiment: SentimentThresholds;
  scorecard: Criterion[];
  prices: Prices;
}

/** A pipeline at one version (GET /pipelines rows, GET /pipelines/{name}/versions/{n}): its definition, flat. */
export interface PipelineSummary extends Omit<PipelineDefinition, "version"> {
  version: number;
  archived: boolean;
  /** Scorecard criterion names. */
  criteria: string[];
  created_at: string;
  /** When this version was made. */
  updated_at: string;
}

export interface PipelineVersionSummary {
  number: number;
  created_at: string;
  /** The editor's email; null for shipped versions. */
  created_by: string | null;
}

/** GET /pipelines/{name}: the current version and every version, oldest first. */
export interface PipelineDetail extends PipelineSummary {
  versions: PipelineVersionSummary[];
}

/** PUT /pipelines/{name}: whether the edit made a new version. */
export interface PipelineSaved extends PipelineDetail {
  changed: boolean;
}

/**
 * What decided a criterion: a phrase criterion's matched turn (`match` = the phrase, `similarity` 0–100), a
 * sentiment criterion's first averaged turn with `value` = the average, a range criterion's `value` alone (turn
 * fields null); null when it does not apply or a phrase was not found.
 */
export interface EvidenceFields {
  turn?: number | null;
  speaker?: string | null;
  text?: string | null;
  offset_s?: number | null;
  end_s?: number | null;
  match?: string | null;
  similarity?: number | null;
  value?: number | null;
}
export type TurnEvidence = EvidenceFields & { turn: number | null };
export type Evidence = EvidenceFields | null;

export interface TriedTurn {
  speaker: string;
  text: string;
  offset_s: number | null;
  end_s: number | null;
  sentiment: number | null;
}

export interface Measures {
  talk_ratio: number | null;
  turns: number | null;
  silence_s: number | null;
  longest_silence_s: number | null;
  interruptions: number | null;
  agent_response_s: number | null;
  duration_s: number | null;
}

/** POST /pipelines/{name}/try: one conversation analysed by the current version, nothing stored. */
export interface TryResult {
  pipeline: string;
  version: number;
  conversation_id: string;
  error: string | null;
  credits: number | string;
  score: number | null;
  sentiment: number | null;
  sentiment_label: string | null;
  criteria: Record<string, boolean | null>;
  evidence: Record<string, Evidence>;
  turns: TriedTurn[];
  measures: Partial<Measures>;
  /** Per criterion: why it passed, failed or did not apply (the threshold, the value, the turn). */
  reasons?: Record<string, string>;
}

export interface ConversationRow {
  id: string;
  integration: string;
  channel: string;
  started_at: string | null;
  duration_s: number | null;
  agent: string | null;
  team: string | null;
  customer: string | null;
  turn_count: number;
}

export interface PipelineUse {
  workflow_id: string;
  name: string;
  status: string;
}

const path = (name: string) => `/pipelines/${encodeURIComponent(name)}`;

export const pipelinesApi = {
  list: (signal?: AbortSignal) =>
    request<{ data: PipelineSummary[]; count: number }>("GET", "/pipelines", {
      query: { archived: true },
      signal,
    }),
  get: (name: string, signal?: AbortSignal) => request<PipelineDetail>("GET", path(name), { signal }),
  version: (name: string, version: number, signal?: AbortSignal) =>
    request<PipelineSummary>("GET", `${path(name)}/versions/${version}`, { signal }),
  create: (definition: PipelineDefinition) => request<PipelineDetail>("POST", "/pipelines", { body: definition }),
  /** `confirm`: save new prices although live workflows use the pipeline. */
  update: (name: string, definition: PipelineDefinition, confirm = false) =>
    request<PipelineSaved>("PUT", path(name), { body: definition, query: { confirm } }),
  /** `confirm`: archive even though live workflows use it (they are paused, each with the reason). */
  archive: (name: string, confirm = false) =>
    request<PipelineDetail>("POST", `${path(name)}/archive`, { query: { confirm } }),
  /** The published workflows whose active version uses the pipeline. */
  usage: (name: string, signal?: AbortSignal) => request<PipelineUse[]>("GET", `${path(name)}/usage`, { signal }),
  unarchive: (name: string) => request<PipelineDetail>("POST", `${path(name)}/unarchive`),
  /** Without a version: the current one. */
  tryOn: (name: string, conversationId: string, version?: number) =>
    request<TryResult>("POST", `${path(name)}/try`, { body: { conversation_id: conversationId, version } }),
  /** The newest first; `search` finds text in the id, agent, customer, team or queue (any case). */
  conversations: (limit: number, integration: string | null, signal?: AbortSignal, search?: string) =>
    request<{ data: ConversationRow[]; count: number }>("GET", "/conversations", {
      query: { limit, integration, q: search || undefined },
      signal,
    }),
  integrations: (signal?: AbortSignal) =>
    request<{ data: { name: string; conversations: number }[]; count: number }>("GET", "/integrations", { signal }),
};
