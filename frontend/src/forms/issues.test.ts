import { describe, expect, it } from "vitest";
import type { Issue } from "../client";
import { configPath, issuePlace, issueText, issuesAt } from "./issues";
import type { FieldSpec } from "./schema";

const issue = (path: string): Issue => ({ path, message: path, node: "tell" });

describe("configPath", () => {
  it("takes the part inside the step's config", () => {
    expect(configPath("steps[2].config.recipients[0]")).toBe("recipients[0]");
    expect(configPath("steps[2].config")).toBe("");
    expect(configPath("steps[2].after")).toBeNull();
    expect(configPath("trigger")).toBeNull();
  });
});

describe("issuesAt", () => {
  const issues = [issue("steps[0].config.recipients[1]"), issue("steps[0].config.groups"), issue("steps[0].config.groups[0].name")];

  it("gives a field the issues under it", () => {
    expect(issuesAt(issues, "recipients", false)).toHaveLength(1);
  });

  it("gives a container only the issues naming it", () => {
    expect(issuesAt(issues, "groups", true).map((found) => found.path)).toEqual(["steps[0].config.groups"]);
    expect(issuesAt(issues, "groups[0].name", false)).toHaveLength(1);
  });
});

describe("issuePlace", () => {
  const fields: FieldSpec[] = [
    {
      key: "groups",
      title: "Groups",
      description: null,
      helper: null,
      required: true,
      nullable: false,
      default: undefined,
      widget: {
        kind: "list",
        fields: [{ key: "name", title: "Group name", description: null, helper: null, required: true, nullable: false, default: undefined, widget: { kind: "text" } }],
      },
    },
  ];

  it("names the field an issue is on with the form's titles", () => {
    expect(issuePlace("steps[4].config.groups[0].name", fields)).toBe("Groups › #1 › Group name");
    expect(issuePlace("steps[4].config.groups", fields)).toBe("Groups");
    expect(issuePlace("steps[4].config.other", fields)).toBe("other");
    expect(issuePlace("steps[4].config", fields)).toBeNull();
    expect(issuePlace("steps[4].after[0]", fields)).toBeNull();
  });
});

describe("issueText", () => {
  it("leaves a sentence that names its field as it is, and names the field of one that does not", () => {
    expect(issueText("Integration in Source must be set.", "Source › Integration")).toBe("Integration in Source must be set.");
    expect(issueText("'crm' is not connected", "Source › Integration")).toBe("Source › Integration: 'crm' is not connected");
    expect(issueText("Add a step.", null)).toBe("Add a step.");
    // A place that falls back to a key ("integration") still matches the title in the sentence.
    expect(issueText("Integration in Source must be set.", "Source › integration")).toBe("Integration in Source must be set.");
  });
});
