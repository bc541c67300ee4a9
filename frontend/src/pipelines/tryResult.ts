// Reading a try result: times as mm:ss, which transcript turn a criterion's evidence points at, the sentiment
// curve's points and the measures' labels — pure, so the views stay simple and the tests cover the rules.
import type { Evidence, Measures, TriedTurn, TurnEvidence } from "../client/pipelines";

/** Seconds as mm:ss (65.4 → "01:05", 3725 → "62:05"); unknown → "—". */
export function formatClock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const whole = Math.floor(seconds);
  const minutes = Math.floor(whole / 60);
  return `${String(minutes).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

/** A turn's time span: "00:05–00:09", or its start alone, or "" when a chat turn has no times. */
export function formatSpan(start: number | null | undefined, end: number | null | undefined): string {
  const from = formatClock(start);
  if (from === "—") return "";
  const to = formatClock(end);
  return to === "—" || to === from ? from : `${from}–${to}`;
}

/** Whether the evidence points at a turn (a range criterion's has only a value). */
export function isTurnEvidence(evidence: Evidence | undefined): evidence is TurnEvidence {
  if (evidence === null || evidence === undefined || typeof evidence !== "object") return false;
  return typeof evidence.turn === "number" || (typeof evidence.text === "string" && evidence.text !== "");
}

/**
 * The transcript turn a criterion's evidence points at, or null. The evidence's `turn` is the index in the
 * conversation's turns; when it is missing or out of range, the turn with the same start and text is looked up.
 */
export function evidenceTurnIndex(evidence: Evidence | undefined, turns: readonly TriedTurn[]): number | null {
  if (!isTurnEvidence(evidence)) return null;
  const index = evidence.turn;
  if (typeof index === "number" && Number.isInteger(index) && index >= 0 && index < turns.length) return index;
  const found = turns.findIndex(
    (turn) =>
      (evidence.text !== undefined && evidence.text !== null && turn.text === evidence.text) &&
      (evidence.offset_s === undefined || evidence.offset_s === null || turn.offset_s === evidence.offset_s),
  );
  return found >= 0 ? found : null;
}

/** Turn index → the criteria whose evidence is that turn, so the transcript can mark them. */
export function evidenceByTurn(
  evidence: Record<string, Evidence>,
  turns: readonly TriedTurn[],
): Map<number, string[]> {
  const marks = new Map<number, string[]>();
  for (const [name, item] of Object.entries(evidence)) {
    const index = evidenceTurnIndex(item, turns);
    if (index === null) continue;
    marks.set(index, [...(marks.get(index) ?? []), name]);
  }
  return marks;
}

/** Turn index → the words matched there (the evidence's `match`), for highlighting in the transcript. */
export function matchesByTurn(evidence: Record<string, Evidence>, turns: readonly TriedTurn[]): Map<number, string[]> {
  const found = new Map<number, string[]>();
  for (const item of Object.values(evidence)) {
    const index = evidenceTurnIndex(item, turns);
    if (index === null || !isTurnEvidence(item) || !item.match) continue;
    found.set(index, [...(found.get(index) ?? []), item.match]);
  }
  return found;
}

export interface SentimentPoint {
  /** Seconds from the start for a call, the turn's number for a chat without times. */
  at: number;
  label: string;
  agent: number | null;
  customer: number | null;
}

/** The sentiment curve: each turn's sentiment at its start time, one series per speaker. */
export function sentimentPoints(turns: readonly TriedTurn[]): SentimentPoint[] {
  const timed = turns.some((turn) => turn.offset_s !== null && turn.offset_s !== undefined);
  return turns.flatMap((turn, index) => {
    if (turn.sentiment === null || turn.sentiment === undefined) return [];
    const at = timed ? (turn.offset_s ?? 0) : index + 1;
    const value = Math.round(turn.sentiment * 1000) / 1000;
    return [
      {
        at,
        label: timed ? formatClock(at) : `Turn ${index + 1}`,
        agent: turn.speaker === "agent" ? value : null,
        customer: turn.speaker === "agent" ? null : value,
      },
    ];
  });
}

const MEASURE_ROWS: { key: keyof Measures; label: string; unit: "s" | "ratio" | "count" }[] = [
  { key: "duration_s", label: "Duration", unit: "s" },
  { key: "turns", label: "Turns", unit: "count" },
  { key: "talk_ratio", label: "Talk ratio (agent)", unit: "ratio" },
  { key: "silence_s", label: "Total silence", unit: "s" },
  { key: "longest_silence_s", label: "Longest silence", unit: "s" },
  { key: "interruptions", label: "Interruptions", unit: "count" },
  { key: "agent_response_s", label: "Agent response time", unit: "s" },
];

/** The measures as label/value rows in a fixed order; unknown values as "—". */
export function measureRows(measures: Partial<Measures>): { key: string; label: string; value: string }[] {
  return MEASURE_ROWS.map(({ key, label, unit }) => {
    const value = measures[key];
    let text = "—";
    if (typeof value === "number" && Number.isFinite(value)) {
      if (unit === "ratio") text = `${Math.round(value * 100)}%`;
      else if (unit === "s") text = `${Math.round(value * 10) / 10} s`;
      else text = String(value);
    }
    return { key, label, value: text };
  });
}

/** A sentiment in [-1, 1] with two decimals and its sign ("+0.42"). */
export function formatSentiment(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const rounded = Math.round(value * 100) / 100;
  return `${rounded > 0 ? "+" : ""}${rounded.toFixed(2)}`;
}

/** The colour for a sentiment: red when negative, green when positive, grey near zero. */
export function sentimentColour(value: number | null | undefined, negativeBelow = -0.05, positiveAbove = 0.05): string {
  if (value === null || value === undefined) return "gray";
  if (value < negativeBelow) return "red";
  if (value > positiveAbove) return "green";
  return "gray";
}
