import { describe, expect, it } from "vitest";
import { documentToFlow, parseRef } from "./graph";

describe("documentToFlow", () => {
  it("connects a Distribute group's port to the step after it", () => {
    const { edges } = documentToFlow({
      name: "w",
      trigger: { type: "manual" },
      steps: [
        { id: "split", type: "distribute", config: { mode: "counts", groups: [{ name: "A" }, { name: "B" }] } },
        { id: "alert", type: "send_alert", after: ["split.B"] },
      ],
    });
    expect(edges.find((edge) => edge.target === "alert")).toMatchObject({ source: "split", sourceHandle: "B" });
    expect(parseRef("split.B")).toEqual({ source: "split", port: "B" });
  });
});

describe("a 200-step document", () => {
  it("becomes 201 nodes and one edge per connection, issues counted per node", async () => {
    const { addStep, connect, isRefusal } = await import("./edit");
    let document: import("../client").WorkflowDocument = { name: "big", trigger: { type: "manual" }, steps: [] };
    let previous: string = "trigger";
    for (let i = 0; i < 200; i++) {
      const added = addStep(document, i % 2 ? "filter" : "sort", previous);
      document = added.document;
      previous = added.stepId;
    }
    // A few extra forward connections (never a loop): step i → step i + 2.
    const ids = document.steps!.map((step) => step.id);
    for (let i = 0; i + 2 < ids.length; i += 10) {
      const next = connect(document, ids[i], "out", ids[i + 2]);
      expect(isRefusal(next)).toBe(false);
      document = next as typeof document;
    }
    const issues = [
      { path: "steps.0", message: "x", node: ids[0] },
      { path: "steps.0", message: "y", node: ids[0] },
    ];
    const { nodes, edges } = documentToFlow(document, { issues });
    expect(nodes).toHaveLength(201);
    expect(new Set(nodes.map((node) => node.id)).size).toBe(201);
    expect(edges).toHaveLength(1 + 199 + 20);
    expect(nodes.find((node) => node.id === ids[0])?.data).toMatchObject({ issueCount: 2 });
    expect(nodes.filter((node) => node.type === "step" && node.data.issueCount)).toHaveLength(1);
    // Each step sits one column right of the one before it.
    expect(document.layout?.[ids[199]]?.x).toBe(200 * 300);
  });
});
