import { describe, expect, it } from "vitest";
import type { TriedTurn } from "../client/pipelines";
import { evidenceByTurn, evidenceTurnIndex, matchesByTurn, formatClock, formatSpan, measureRows, sentimentPoints } from "./tryResult";

const turns: TriedTurn[] = [
  { speaker: "agent", text: "Hello, thanks for calling", offset_s: 0, end_s: 2.5, sentiment: 0.4 },
  { speaker: "customer", text: "My order is late", offset_s: 3.1, end_s: 6, sentiment: -0.5 },
  { speaker: "agent", text: "Sorry about that", offset_s: 65.4, end_s: 68, sentiment: null },
];

describe("formatClock", () => {
  it("writes seconds as mm:ss", () => {
    expect(formatClock(0)).toBe("00:00");
    expect(formatClock(65.4)).toBe("01:05");
    expect(formatClock(3725)).toBe("62:05");
    expect(formatClock(null)).toBe("—");
    expect(formatClock(Number.NaN)).toBe("—");
  });
  it("writes a span, or nothing for an untimed chat turn", () => {
    expect(formatSpan(3.1, 6)).toBe("00:03–00:06");
    expect(formatSpan(3.1, null)).toBe("00:03");
    expect(formatSpan(null, null)).toBe("");
  });
});

describe("evidenceTurnIndex", () => {
  it("uses the evidence's turn index", () => {
    expect(evidenceTurnIndex({ turn: 2, text: "Sorry about that" }, turns)).toBe(2);
  });
  it("finds the turn by its text and start when the index is missing or out of range", () => {
    expect(evidenceTurnIndex({ turn: null, text: "My order is late", offset_s: 3.1 }, turns)).toBe(1);
    expect(evidenceTurnIndex({ turn: 9, text: "Sorry about that" }, turns)).toBe(2);
  });
  it("has no turn for a value or no evidence", () => {
    expect(evidenceTurnIndex({ value: 612 }, turns)).toBeNull();
    expect(evidenceTurnIndex({ turn: null, speaker: null, text: null, offset_s: null, value: 0.62 }, turns)).toBeNull();
    expect(evidenceTurnIndex(null, turns)).toBeNull();
    expect(evidenceTurnIndex(undefined, turns)).toBeNull();
    expect(evidenceTurnIndex({ turn: null, text: "never said" }, turns)).toBeNull();
  });
  it("marks each turn with the criteria it decided", () => {
    const marks = evidenceByTurn({ greeting: { turn: 0 }, thanks: { turn: 0 }, short: { value: 12 }, apology: null }, turns);
    expect([...marks.entries()]).toEqual([[0, ["greeting", "thanks"]]]);
  });
  it("collects the matched words per turn for highlighting", () => {
    const found = matchesByTurn({ greeting: { turn: 0, match: "hello" }, apology: { turn: 2, match: null }, late: { turn: 1, match: "late" } }, turns);
    expect([...found.entries()]).toEqual([[0, ["hello"]], [1, ["late"]]]);
  });
});

describe("sentimentPoints", () => {
  it("puts each scored turn at its start time, one series per speaker", () => {
    expect(sentimentPoints(turns)).toEqual([
      { at: 0, label: "00:00", agent: 0.4, customer: null },
      { at: 3.1, label: "00:03", agent: null, customer: -0.5 },
    ]);
  });
  it("numbers the turns of a chat without times", () => {
    const chat = turns.map((turn) => ({ ...turn, offset_s: null, end_s: null }));
    expect(sentimentPoints(chat).map((point) => point.label)).toEqual(["Turn 1", "Turn 2"]);
  });
});

describe("measureRows", () => {
  it("labels measures with their units in a fixed order", () => {
    const rows = measureRows({ talk_ratio: 0.625, turns: 12, duration_s: 61.26, interruptions: null });
    expect(rows.slice(0, 3).map((row) => row.value)).toEqual(["61.3 s", "12", "63%"]);
    expect(rows.find((row) => row.key === "interruptions")?.value).toBe("—");
  });
});
