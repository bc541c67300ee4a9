import { describe, expect, it } from "vitest";
import { ApiError } from "../client";
import { nodeIssues } from "./nodeIssues";

describe("nodeIssues", () => {
  it("joins the node's Final checks and a refused save's errors, once each", () => {
    const saved = { path: "steps[0].config.pipeline", message: "Field required", node: "process" };
    const refused = new ApiError(422, "Invalid", null, "about:blank", [
      saved,
      { path: "steps[0].config.x", message: "Extra inputs are not permitted", node: "process" },
      { path: "trigger", message: "no trigger", node: "trigger" },
    ]);
    const found = nodeIssues({ issues: [saved, { path: "trigger", message: "t", node: "trigger" }], saveError: refused }, "process");
    expect(found.map((issue) => issue.message)).toEqual(["Field required", "Extra inputs are not permitted"]);
  });
});
