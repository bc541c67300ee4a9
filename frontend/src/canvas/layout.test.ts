import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../client";
import { organize } from "./layout";

const document: WorkflowDocument = {
  name: "w",
  trigger: { type: "manual" },
  steps: [
    { id: "pick", type: "select_conversations" },
    { id: "split", type: "distribute", after: ["pick"], config: { mode: "counts", groups: [{ name: "A" }, { name: "B" }] } },
    { id: "alert", type: "send_alert", after: ["split.A"] },
    { id: "report", type: "schedule_export", after: ["split.B"] },
  ],
};

describe("organize", () => {
  it("places every node left to right along the connections", async () => {
    const positions = await organize(document);
    expect(Object.keys(positions).sort()).toEqual(["alert", "pick", "report", "split", "trigger"]);
    expect(positions.trigger.x).toBeLessThan(positions.pick.x);
    expect(positions.pick.x).toBeLessThan(positions.split.x);
    expect(positions.split.x).toBeLessThan(positions.alert.x);
    expect(positions.alert.x).toBe(positions.report.x);
    // Group A's port is above group B's, so its step is too.
    expect(positions.alert.y).toBeLessThan(positions.report.y);
  });
});
