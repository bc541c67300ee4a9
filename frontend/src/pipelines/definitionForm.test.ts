import { describe, expect, it } from "vitest";
import type { PipelineDefinition } from "../client/pipelines";
import { changeKind, criterionName, newCriterion } from "./criteria";
import { criterionErrors, emptyForm, fieldErrors, fieldKey, toBody, toForm } from "./definitionForm";

const apiDefinition: PipelineDefinition = {
  name: "default-qa",
  version: 3,
  description: "QA",
  stages: { transcribe: true, sentiment: true, score: true, measures: false },
  sentiment: { negative_below: -0.1, positive_above: 0.2 },
  scorecard: [
    { name: "greeting", title: "Agent greets", kind: "phrase_said", phrases: ["hello", "hi"], speaker: "agent", weight: 1, threshold: 85, within_first_turns: 3 },
    { name: "no_swearing", kind: "phrase_not_said", phrases: ["damn"], weight: 2 },
    { name: "short", kind: "duration_range", max_s: 600 },
  ],
  prices: { analysis_per_conversation: "1.5", transcription_per_audio_minute: "0.25" },
};

describe("toForm", () => {
  it("fills every field of each kind so inputs are controlled, and reads decimal strings as numbers", () => {
    const form = toForm(apiDefinition);
    expect(form.prices).toEqual({ analysis_per_conversation: 1.5, transcription_per_audio_minute: 0.25 });
    expect(form.scorecard[0]).toMatchObject({ within_last_turns: null, when_customer_sentiment_below: null, title: "Agent greets" });
    expect(form.scorecard[1]).toMatchObject({ speaker: "agent", threshold: 90, title: "", weight: 2 });
    expect(form.scorecard[2]).toMatchObject({ min_s: null, max_s: 600, weight: 1 });
    expect("version" in form).toBe(false);
  });

  it("does not share phrase lists with the API's object", () => {
    const form = toForm(apiDefinition);
    (form.scorecard[0] as { phrases: string[] }).phrases.push("hey");
    expect((apiDefinition.scorecard[0] as { phrases: string[] }).phrases).toEqual(["hello", "hi"]);
  });
});

describe("toBody", () => {
  it("round-trips a definition (unset optional fields and empty titles are left out)", () => {
    const body = toBody(toForm(apiDefinition));
    expect(body).toEqual({
      name: "default-qa",
      description: "QA",
      stages: apiDefinition.stages,
      sentiment: apiDefinition.sentiment,
      scorecard: [
        { name: "greeting", title: "Agent greets", kind: "phrase_said", phrases: ["hello", "hi"], speaker: "agent", weight: 1, threshold: 85, within_first_turns: 3 },
        { name: "no_swearing", kind: "phrase_not_said", phrases: ["damn"], speaker: "agent", threshold: 90, weight: 2 },
        { name: "short", kind: "duration_range", max_s: 600, weight: 1 },
      ],
      prices: { analysis_per_conversation: 1.5, transcription_per_audio_minute: 0.25 },
    });
  });

  it("trims phrases and drops blank ones, and drops fields of another kind", () => {
    const form = toForm(apiDefinition);
    form.scorecard[0] = { ...form.scorecard[0], phrases: [" hello ", "  "] } as never;
    form.scorecard[2] = { ...form.scorecard[2], phrases: ["left over"] } as never;
    const body = toBody(form);
    expect(body.scorecard[0]).toMatchObject({ phrases: ["hello"] });
    expect("phrases" in body.scorecard[2]).toBe(false);
  });

  it("sends a NumberInput cleared to '' as unset", () => {
    const form = toForm(apiDefinition);
    form.scorecard[2] = { ...form.scorecard[2], max_s: "" } as never;
    expect(toBody(form).scorecard[2]).toEqual({ name: "short", kind: "duration_range", weight: 1 });
  });

  it("makes a valid empty pipeline", () => {
    expect(toBody(emptyForm("new-one"))).toMatchObject({ name: "new-one", scorecard: [], stages: { transcribe: true } });
  });
});

describe("criteria", () => {
  it("names new criteria uniquely after their kind", () => {
    expect(newCriterion("phrase_said", []).name).toBe("phrase_said");
    expect(newCriterion("phrase_said", ["phrase_said", "phrase_said_2"]).name).toBe("phrase_said_3");
  });

  it("changes kind keeping name, title, weight and phrases between phrase kinds", () => {
    const said = { ...newCriterion("phrase_said", []), name: "polite", title: "Polite", weight: 2, phrases: ["please"] };
    expect(changeKind(said as never, "phrase_not_said")).toEqual({
      name: "polite", title: "Polite", weight: 2, kind: "phrase_not_said", phrases: ["please"], speaker: "agent", threshold: 90,
    });
    expect(changeKind(said as never, "measure_range")).toEqual({
      name: "polite", title: "Polite", weight: 2, kind: "measure_range", measure: "talk_ratio", min: null, max: null,
    });
  });

  it("makes a column-safe name from a title", () => {
    expect(criterionName("Agent greets the Customer!")).toBe("agent_greets_the_customer");
  });
});

describe("422 issues on fields", () => {
  it("maps pydantic paths to form keys", () => {
    expect(fieldKey("body.scorecard[0].phrase_said.phrases")).toBe("scorecard[0].phrases");
    expect(fieldKey("scorecard[1].duration_range.max_s")).toBe("scorecard[1].max_s");
    expect(fieldKey("body.scorecard[0].phrase_said.phrases[2]")).toBe("scorecard[0].phrases");
    expect(fieldKey("body.prices.analysis_per_conversation")).toBe("prices.analysis_per_conversation");
    expect(fieldKey("name")).toBe("name");
    expect(fieldKey("body.scorecard[2]")).toBe("scorecard[2]");
  });

  it("groups issues per field and per criterion", () => {
    const errors = fieldErrors([
      { path: "body.scorecard[0].phrase_said.phrases", message: "too short", node: null },
      { path: "body.scorecard[0].phrase_said.name", message: "bad name", node: null },
      { path: "body.scorecard[0].phrase_said.name", message: "taken", node: null },
      { path: "body.scorecard[1]", message: "duplicate", node: null },
    ]);
    expect(criterionErrors(errors, 0)).toEqual({ phrases: "too short", name: "bad name; taken" });
    expect(criterionErrors(errors, 1)).toEqual({ "": "duplicate" });
  });
});
