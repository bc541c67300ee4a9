import { describe, expect, it } from "vitest";
import { tabOf } from "./workflowTabs";

describe("tabOf", () => {
  it("reads the tab and the run from the path after the workflow's id", () => {
    expect(tabOf("")).toEqual({ tab: "editor" });
    expect(tabOf("runs")).toEqual({ tab: "runs" });
    expect(tabOf("runs/")).toEqual({ tab: "runs" });
    expect(tabOf("runs/abc123")).toEqual({ tab: "runs", runId: "abc123" });
    expect(tabOf("settings")).toEqual({ tab: "settings" });
  });

  it("shows the Editor for anything else", () => {
    for (const rest of ["nope", "settings/x", "runs/a/b", "editor"]) expect(tabOf(rest)).toEqual({ tab: "editor" });
  });
});
