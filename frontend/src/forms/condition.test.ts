import { describe, expect, it } from "vitest";
import { cleanCondition, conditionFields, sameCondition } from "./condition";

describe("cleanCondition", () => {
  it("drops the ids, paths and default value sources the builder adds, at every depth", () => {
    const edited = {
      id: "g1",
      combinator: "or",
      not: false,
      rules: [
        { id: "r1", field: "score", operator: "<", value: 70, valueSource: "value" },
        { id: "g2", path: [1], combinator: "and", not: true, rules: [{ id: "r2", field: "agent", operator: "notNull", value: "" }] },
      ],
    };
    expect(cleanCondition(edited)).toEqual({
      combinator: "or",
      rules: [
        { field: "score", operator: "<", value: 70 },
        { combinator: "and", not: true, rules: [{ field: "agent", operator: "notNull" }] },
      ],
    });
  });

  it("makes a list typed as text a list, with numbers on numeric columns", () => {
    const typed = {
      combinator: "and",
      rules: [
        { field: "agent", operator: "in", value: "Dana Ito, Sam ," },
        { field: "score", operator: "notIn", value: "1, 2.5" },
        { field: "score", operator: "between", value: ["10", "20"] },
      ],
    };
    expect(cleanCondition(typed, new Set(["score"])).rules).toEqual([
      { field: "agent", operator: "in", value: ["Dana Ito", "Sam"] },
      { field: "score", operator: "notIn", value: [1, 2.5] },
      { field: "score", operator: "between", value: [10, 20] },
    ]);
  });

  it("gives an empty group for nothing", () => {
    expect(cleanCondition(null)).toEqual({ combinator: "and", rules: [] });
  });

  it("compares conditions without the builder's keys", () => {
    expect(sameCondition({ id: "x", combinator: "and", rules: [] }, { combinator: "and", rules: [] })).toBe(true);
  });
});

describe("conditionFields", () => {
  it("offers operators by the column's kind", () => {
    const [score, tags] = conditionFields([
      { name: "score", kind: "number", analysis: true },
      { name: "tags", kind: "text_list", analysis: false },
    ]);
    expect(score.inputType).toBe("number");
    expect(score.operators.map((op) => op.name)).toContain("between");
    expect(tags.operators.map((op) => op.name)).toEqual(["contains", "doesNotContain", "null", "notNull"]);
  });
});
