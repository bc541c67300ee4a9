// A timing print for a 200-step canvas (not a test): `npx vitest bench --run bench/`.
import { bench, describe } from "vitest";
import type { WorkflowDocument } from "../src/client";
import { addStep, connect, deleteStep, isRefusal } from "../src/canvas/edit";
import { documentToFlow } from "../src/canvas/graph";
import { reconcileNodes } from "../src/canvas/reconcile";

let document: WorkflowDocument = { name: "big", trigger: { type: "manual" }, steps: [] };
let previous = "trigger";
for (let i = 0; i < 200; i++) {
  const added = addStep(document, i % 2 ? "filter" : "sort", previous);
  document = added.document;
  previous = added.stepId;
}
const ids = document.steps!.map((step) => step.id);
const flow = documentToFlow(document);
const nodes = reconcileNodes([], flow.nodes, null);

describe("200 steps", () => {
  bench("documentToFlow", () => void documentToFlow(document));
  bench("an edit, then documentToFlow and reconcile", () => {
    const next = connect(document, ids[10], "out", ids[150]);
    if (!isRefusal(next)) reconcileNodes(nodes, documentToFlow(next).nodes, ids[10]);
  });
  bench("deleteStep", () => void deleteStep(document, ids[100]));
});
