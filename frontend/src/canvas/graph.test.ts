import { describe, expect, it } from "vitest";
import { CATALOG } from "./catalog.fixture";
import { documentToFlow, knowledgeOf, parseRef, stepPorts, type StepFlowNode } from "./graph";
import type { WorkflowDocument } from "../client";
import { random } from "../testing/seeded";

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

describe("what each node shows, from the catalog and the server's summaries", () => {
  const document: WorkflowDocument = {
    name: "w",
    trigger: { type: "manual" },
    steps: [
      { id: "low", type: "filter", config: {} },
      { id: "split", type: "distribute", after: ["low"], config: { mode: "percentage", groups: [{ name: "Reviewer A" }, { name: "Reviewer B" }] } },
      { id: "alert", type: "send_alert", after: ["split.Reviewer B"] },
    ],
  };
  const summaries = {
    trigger: "when someone presses Run now",
    steps: {
      low: { summary: "score < 70", complete: true, ports: ["out"] },
      split: { summary: "Reviewer A 50% · Reviewer B 50%", complete: true, ports: ["Reviewer A", "Reviewer B"] },
      alert: { summary: "Not set up yet", complete: false, ports: ["out"] },
    },
  };

  it("gives each step its kind's title, icon and colour and its summary; the trigger its own", () => {
    const { nodes } = documentToFlow(document, { knowledge: knowledgeOf(CATALOG, summaries) });
    const step = (id: string) => (nodes.find((node) => node.id === id) as StepFlowNode).data;
    expect(step("low")).toMatchObject({ title: "Filter", color: "orange", summary: "score < 70", complete: true });
    expect(step("alert")).toMatchObject({ title: "Send Alert", summary: "Not set up yet", complete: false });
    expect(nodes[0].data).toMatchObject({ title: "Manual", color: "grape", summary: "when someone presses Run now" });
  });

  it("reads a type as words before the catalog answers, and shows no summary until the server's", () => {
    const { nodes } = documentToFlow(document);
    expect((nodes[3] as StepFlowNode).data.title).toBe("Send alert");
    expect((nodes[3] as StepFlowNode).data.summary).toBeUndefined();
  });

  it("draws a Distribute's ports from its kind's rule, as typed so far (a new group shows at once)", () => {
    const distribute = CATALOG.steps.find((kind) => kind.type === "distribute");
    const step = { id: "s", type: "distribute", config: { groups: [{ name: "A" }, { name: "" }, {}, { name: "C" }] } };
    expect(stepPorts(step, distribute)).toEqual(["A", "C"]);
    expect(stepPorts({ ...step, config: { groups: [] } }, distribute)).toEqual(["out"]);
    expect(stepPorts(step, CATALOG.steps.find((kind) => kind.type === "filter"))).toEqual(["out"]);
  });

  it("puts no label on any line (group names sit beside their ports) and names each line for screen readers", () => {
    const { edges } = documentToFlow(document, { knowledge: knowledgeOf(CATALOG, summaries) });
    expect(edges.every((edge) => edge.label === undefined)).toBe(true);
    expect(edges.find((edge) => edge.target === "alert")?.ariaLabel).toBe("Edge from split to alert, group Reviewer B");
  });
});

describe("property: labels never sit on lines, and each group gets one port row", () => {
  it("holds for 500 random workflows of Distributes and the steps after their groups", () => {
    const next = random(3);
    const knowledge = knowledgeOf(CATALOG);
    for (let round = 0; round < 500; round++) {
      const steps: NonNullable<WorkflowDocument["steps"]> = [];
      const refs: string[] = [];
      for (let i = 0; i < 1 + Math.floor(next() * 12); i++) {
        const after = refs.length && next() < 0.8 ? [refs[Math.floor(next() * refs.length)]] : [];
        if (next() < 0.4) {
          const groups = Array.from({ length: 1 + Math.floor(next() * 5) }, (_, g) => ({ name: `G${g} ${"x".repeat(Math.floor(next() * 30))}` }));
          steps.push({ id: `d${i}`, type: "distribute", after, config: { mode: "round_robin", groups } });
          refs.push(...groups.map((group) => `d${i}.${group.name}`));
        } else {
          steps.push({ id: `s${i}`, type: "sort", after, config: {} });
          refs.push(`s${i}`);
        }
      }
      const { nodes, edges } = documentToFlow({ name: "w", trigger: { type: "manual" }, steps }, { knowledge });
      expect(edges.every((edge) => edge.label === undefined)).toBe(true);
      for (const node of nodes) {
        if (node.type !== "step" || node.data.step.type !== "distribute") continue;
        const names = (node.data.step.config?.groups as Array<{ name: string }>).map((group) => group.name);
        expect(node.data.ports).toEqual(names); // one row per group, in order: rows stack, never overlap
      }
      for (const edge of edges.filter((each) => each.sourceHandle !== "out")) {
        const source = nodes.find((node) => node.id === edge.source);
        expect(source?.type === "step" && source.data.ports.includes(edge.sourceHandle ?? "")).toBe(true); // every line leaves from a drawn port
      }
    }
  });
});
