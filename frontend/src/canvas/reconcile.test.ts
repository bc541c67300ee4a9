import { describe, expect, it } from "vitest";
import type { WorkflowDocument } from "../client";
import { connect, moveNodes } from "./edit";
import { CATALOG } from "./catalog.fixture";
import { documentToFlow, knowledgeOf } from "./graph";
import { reconcileEdges, reconcileNodes } from "./reconcile";

const document: WorkflowDocument = {
  name: "w",
  trigger: { type: "manual" },
  steps: [
    { id: "a", type: "filter" },
    { id: "b", type: "sort", after: ["a"] },
    { id: "c", type: "sort", after: ["a"] },
  ],
};

describe("reconcile", () => {
  it("keeps unchanged nodes' objects (and measured sizes) across an edit", () => {
    const first = reconcileNodes([], documentToFlow(document).nodes, null).map((node) => ({ ...node, measured: { width: 220, height: 70 } }));
    const edited = connect(document, "b", "out", "c") as WorkflowDocument;
    const next = reconcileNodes(first, documentToFlow(edited).nodes, null);
    expect(next[1]).toBe(first[1]); // a: untouched
    expect(next[3]).not.toBe(first[3]); // c: its `after` changed
    expect(next[3].measured).toEqual({ width: 220, height: 70 });
  });

  it("renews a node that moved or whose selection changed", () => {
    const first = reconcileNodes([], documentToFlow(document).nodes, null);
    const moved = reconcileNodes(first, documentToFlow(moveNodes(document, { b: { x: 5, y: 5 } })).nodes, "a");
    expect(moved[1]).not.toBe(first[1]);
    expect(moved[1].selected).toBe(true);
    expect(moved[2].position).toEqual({ x: 5, y: 5 });
    expect(moved[3]).toBe(first[3]);
  });

  it("renews a node when its summary arrives or changes, and only that node", () => {
    const summaries = (text: string) => ({
      trigger: null,
      steps: { a: { summary: text, complete: true, ports: ["out"] }, b: { summary: "By score ↑", complete: true, ports: ["out"] } },
    });
    const first = reconcileNodes([], documentToFlow(document, { knowledge: knowledgeOf(CATALOG, summaries("score < 70")) }).nodes, null);
    const next = reconcileNodes(first, documentToFlow(document, { knowledge: knowledgeOf(CATALOG, summaries("score < 50")) }).nodes, null);
    expect(next[1]).not.toBe(first[1]);
    expect(next[1].data.summary).toBe("score < 50");
    expect(next[2]).toBe(first[2]);
  });

  it("keeps edges by id and marks the selected one", () => {
    const { edges } = documentToFlow(document);
    const first = reconcileEdges([], edges, null);
    const next = reconcileEdges(first, documentToFlow(document).edges, "a->c");
    expect(next[1]).toBe(first[1]);
    expect(next.find((edge) => edge.id === "a->c")?.selected).toBe(true);
  });
});
