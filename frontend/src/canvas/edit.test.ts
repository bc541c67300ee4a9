import { describe, expect, it } from "vitest";
import type { Step, WorkflowDocument } from "../client";
import {
  addStep,
  affectedSteps,
  connect,
  defaultAddAfter,
  deleteConnection,
  deleteStep,
  deleteSteps,
  downstreamOf,
  isRefusal,
  moveNodes,
  newStepId,
} from "./edit";
import { KINDS } from "./catalog.fixture";
import { documentToFlow, TRIGGER_ID } from "./graph";

function doc(steps: Step[]): WorkflowDocument {
  return { name: "w", trigger: { type: "manual" }, steps, layout: { trigger: { x: 0, y: 0 } } };
}

const chain = doc([
  { id: "pick", type: "select_conversations" },
  { id: "split", type: "distribute", after: ["pick"], config: { mode: "counts", groups: [{ name: "A" }, { name: "B" }] } },
  { id: "alert", type: "send_alert", after: ["split.A"] },
  { id: "report", type: "schedule_export", after: ["split.B", "alert"] },
]);

const stepById = (document: WorkflowDocument, id: string) => document.steps?.find((step) => step.id === id);

describe("addStep", () => {
  it("adds a step with a fresh id after the given step, placed to its right", () => {
    const { document, stepId } = addStep(chain, "filter", "pick");
    expect(stepId).toBe("filter");
    expect(stepById(document, "filter")).toEqual({ id: "filter", type: "filter", after: ["pick"], config: {} });
    expect(newStepId(document, "filter")).toBe("filter_2");
  });

  it("leaves `after` empty for a step after the trigger (it takes the trigger's output)", () => {
    const { document, stepId } = addStep(chain, "select_conversations", TRIGGER_ID);
    expect(stepById(document, stepId)?.after).toEqual([]);
    expect(document.layout?.[stepId]).toEqual({ x: 300, y: 0 });
  });

  it("connects to a Distribute group's port", () => {
    const { document, stepId } = addStep(chain, "sort", "split.B");
    expect(stepById(document, stepId)?.after).toEqual(["split.B"]);
  });
});

describe("connect", () => {
  it("adds the source to the target's after", () => {
    const next = connect(chain, "pick", "out", "report");
    expect(isRefusal(next)).toBe(false);
    expect(stepById(next as WorkflowDocument, "report")?.after).toEqual(["split.B", "alert", "pick"]);
  });

  it("adds a Distribute port as source.port", () => {
    const next = connect(chain, "split", "B", "alert") as WorkflowDocument;
    expect(stepById(next, "alert")?.after).toEqual(["split.A", "split.B"]);
    expect(documentToFlow(next).edges.some((edge) => edge.source === "split" && edge.sourceHandle === "B" && edge.target === "alert")).toBe(true);
  });

  it("refuses a self-loop and a cycle, with a reason", () => {
    expect(connect(chain, "alert", "out", "alert")).toEqual({ refused: "A step cannot be connected to itself." });
    const loop = connect(chain, "report", "out", "pick");
    expect(isRefusal(loop) && loop.refused).toMatch(/loop/);
  });

  it("keeps the same document for a line that exists already", () => {
    expect(connect(chain, "split", "A", "alert")).toBe(chain);
  });

  it("treats a line from the trigger as 'no after', refusing it when the step has inputs", () => {
    expect(connect(chain, TRIGGER_ID, "out", "pick")).toBe(chain);
    expect(isRefusal(connect(chain, TRIGGER_ID, "out", "alert"))).toBe(true);
  });
});

describe("deleting", () => {
  it("deleteStep removes the step, its position and every reference to it", () => {
    const withLayout = { ...chain, layout: { ...chain.layout, split: { x: 1, y: 2 } } };
    const next = deleteStep(withLayout, "split");
    expect(next.steps?.map((step) => step.id)).toEqual(["pick", "alert", "report"]);
    expect(stepById(next, "alert")?.after).toEqual([]);
    expect(stepById(next, "report")?.after).toEqual(["alert"]);
    expect(next.layout?.split).toBeUndefined();
    expect(deleteStep(chain, "nope")).toBe(chain);
  });

  it("deleteConnection removes only that reference", () => {
    const next = deleteConnection(chain, "split.B", "report");
    expect(stepById(next, "report")?.after).toEqual(["alert"]);
    expect(stepById(next, "alert")?.after).toEqual(["split.A"]);
    expect(deleteConnection(chain, "pick", "report")).toBe(chain);
  });

  it("counts affected steps as the server does", () => {
    expect(affectedSteps(chain, { step: "split" })).toEqual(["alert", "report"]);
    expect(affectedSteps(chain, { step: "report" })).toEqual([]);
    expect(affectedSteps(chain, { connectionTo: "alert" })).toEqual(["alert", "report"]);
    expect([...downstreamOf(chain, ["pick"])].sort()).toEqual(["alert", "report", "split"]);
  });

  it("deleteSteps removes several steps in one document; what follows them is affected, not each other", () => {
    const next = deleteSteps(chain, ["split", "alert"]);
    expect(next.steps?.map((step) => step.id)).toEqual(["pick", "report"]);
    expect(stepById(next, "report")?.after).toEqual([]);
    expect(next).toEqual(deleteStep(deleteStep(chain, "alert"), "split"));
    expect(affectedSteps(chain, { steps: ["split", "alert"] })).toEqual(["report"]);
    expect(affectedSteps(chain, { steps: ["alert", "report"] })).toEqual([]);
  });
});

describe("moveNodes", () => {
  it("stores rounded positions and keeps the document when nothing moved", () => {
    const next = moveNodes(chain, { pick: { x: 10.4, y: 20.6 } });
    expect(next.layout?.pick).toEqual({ x: 10, y: 21 });
    expect(moveNodes(next, { pick: { x: 10, y: 21 } })).toBe(next);
  });
});

describe("random edits keep the graph acyclic and references valid", () => {
  it("holds for a few hundred random connects and deletes", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let document = doc([]);
    for (let i = 0; i < 400; i++) {
      const ids = (document.steps ?? []).map((step) => step.id);
      const action = random(10);
      if (action < 4 || ids.length < 2) {
        document = addStep(document, "filter", ids.length ? ids[random(ids.length)] : TRIGGER_ID).document;
      } else if (action < 8) {
        const next = connect(document, ids[random(ids.length)], "out", ids[random(ids.length)]);
        if (!isRefusal(next)) document = next;
      } else {
        document = deleteStep(document, ids[random(ids.length)]);
      }
      const known = new Set((document.steps ?? []).map((step) => step.id));
      for (const step of document.steps ?? []) {
        for (const ref of step.after ?? []) expect(known.has(ref)).toBe(true);
        expect(downstreamOf(document, [step.id]).has(step.id)).toBe(false);
      }
    }
  });
});

describe("defaultAddAfter", () => {
  it("uses the selected step (a Distribute's first group), else the last open end, else the trigger", () => {
    expect(defaultAddAfter(chain, "pick")).toBe("pick");
    expect(defaultAddAfter(chain, "split", KINDS)).toBe("split.A");
    expect(defaultAddAfter(chain, TRIGGER_ID)).toBe(TRIGGER_ID);
    expect(defaultAddAfter(chain, null)).toBe("report");
    expect(defaultAddAfter(doc([]), null)).toBe(TRIGGER_ID);
    expect(defaultAddAfter({ name: "w" }, null)).toBeNull();
  });
});
