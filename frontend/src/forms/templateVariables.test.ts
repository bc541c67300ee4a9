import { describe, expect, it } from "vitest";
import { stepFactName, templateVariablesOf, variableGroups, withVariable } from "./templateVariables";

const SCHEMA_VALUE = {
  facts: [
    { name: "input.count", label: "Number of input rows", group: "Input" },
    { name: "trigger.window", label: "Sync window", group: "Trigger", only: ["Integration Sync Completed"] },
  ],
  step_facts: [{ attribute: "rows_out", label: "rows out" }],
};

describe("template variables", () => {
  it("groups the server's variables and lists each step's by its id", () => {
    const variables = templateVariablesOf(SCHEMA_VALUE);
    expect(variables).not.toBeNull();
    const groups = variableGroups(variables!, ["split", "low-scores"]);
    expect(groups.map((group) => group.title)).toEqual(["Input", "Trigger", "Step split", "Step low-scores"]);
    expect(groups[1].variables[0].note).toBe("Filled by: Integration Sync Completed");
    expect(groups[2].variables[0]).toEqual({ name: "steps.split.rows_out", label: "split: rows out", note: null });
    expect(groups[3].variables[0].name).toBe("steps['low-scores'].rows_out");
  });

  it("refuses what is not a list of variables", () => {
    expect(templateVariablesOf(undefined)).toBeNull();
    expect(templateVariablesOf({ facts: "x", step_facts: [] })).toBeNull();
  });

  it("puts a variable at the cursor, replacing a selection, and moves the cursor after it", () => {
    expect(withVariable("Hello  calls", "input.count", 6)).toEqual({ text: "Hello {{ input.count }} calls", cursor: 23 });
    expect(withVariable("Hello XXX", "run.number", 6, 9)).toEqual({ text: "Hello {{ run.number }}", cursor: 22 });
    expect(withVariable("", "run.url", 99).text).toBe("{{ run.url }}");
  });

  it("reads an id that is not a name with brackets", () => {
    expect(stepFactName("a_b", "status")).toBe("steps.a_b.status");
    expect(stepFactName("2nd", "status")).toBe("steps['2nd'].status");
  });
});
