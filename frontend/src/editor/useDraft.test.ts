import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../client";
import { withSettings } from "./useDraft";

const document: WorkflowDocument = {
  name: "w",
  trigger: { type: "manual" },
  steps: [{ id: "pick", type: "select_conversations" }],
  settings: { call_limit: 5 },
  layout: { pick: { x: 1, y: 2 } },
};

describe("withSettings", () => {
  it("replaces only the settings", () => {
    const next = withSettings(document, { call_limit: 17, credits_limit: "9" });
    expect(next).toEqual({ ...document, settings: { call_limit: 17, credits_limit: "9" } });
    expect(next.steps).toBe(document.steps);
    expect(document.settings).toEqual({ call_limit: 5 }); // the old document is untouched
  });

  it("drops the settings when the server has none", () => {
    const next = withSettings(document, undefined);
    expect("settings" in next).toBe(false);
    expect(next.name).toBe("w");
  });
});
