import { describe, expect, it } from "vitest";
import type { Step, WorkflowDocument } from "../client";
import { KINDS } from "./catalog.fixture";
import { addStep, downstreamOf, isRefusal } from "./edit";
import { TRIGGER_ID } from "./graph";
import { currentInput, inputChoices, setInput } from "./inputs";

function doc(steps: Step[]): WorkflowDocument {
  return { name: "w", trigger: { type: "manual" }, steps };
}

const title = (type: string) => KINDS.get(type)?.title ?? type;

const chain = doc([
  { id: "pick", type: "select_conversations" },
  { id: "split", type: "distribute", after: ["pick"], config: { mode: "counts", groups: [{ name: "A" }, { name: "B" }] } },
  { id: "alert", type: "send_alert", after: ["split.A"] },
  { id: "report", type: "schedule_export", after: ["split.B", "alert"] },
  { id: "loose", type: "filter" },
]);

describe("inputChoices", () => {
  it("offers the trigger and each port of the other steps, never the step itself or a step after it", () => {
    expect(inputChoices(chain, "split", KINDS, title)).toEqual([
      { value: TRIGGER_ID, label: "The trigger" },
      { value: "pick", label: 'Select Conversations "pick"' },
      { value: "loose", label: 'Filter "loose"' },
    ]);
    expect(inputChoices(chain, "loose", KINDS, title).map((choice) => choice.value)).toEqual([
      TRIGGER_ID,
      "pick",
      "split.A",
      "split.B",
      "alert",
      "report",
    ]);
    expect(inputChoices(chain, "loose", KINDS, title)[3].label).toBe('Distribute "split": B');
  });
});

describe("setInput", () => {
  it("connects two steps already there, from a Distribute's port, as the canvas's line would", () => {
    const next = setInput(chain, "loose", "split.B");
    if (isRefusal(next)) throw new Error(next.refused);
    expect(next.steps?.find((step) => step.id === "loose")?.after).toEqual(["split.B"]);
    expect(currentInput(next, "loose")).toBe("split.B");
  });

  it("makes the choice the only input, and the trigger means no upstream step", () => {
    const next = setInput(chain, "report", "pick");
    if (isRefusal(next)) throw new Error(next.refused);
    expect(next.steps?.find((step) => step.id === "report")?.after).toEqual(["pick"]);
    expect(currentInput(chain, "report")).toBeNull(); // two inputs: the list shows none of them as the one
    const back = setInput(next, "report", TRIGGER_ID);
    if (isRefusal(back)) throw new Error(back.refused);
    expect(back.steps?.find((step) => step.id === "report")?.after).toEqual([]);
    expect(currentInput(back, "report")).toBe(TRIGGER_ID);
  });

  it("refuses a loop and a step that is not there, changing nothing", () => {
    expect(setInput(chain, "pick", "alert")).toEqual({
      refused: 'Connecting "alert" to "pick" would make a loop: "alert" already comes after "pick".',
    });
    expect(isRefusal(setInput(chain, "nowhere", "pick"))).toBe(true);
  });

  it("over random workflows, every offered choice connects, leaves no loop and is then the step's input", () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const types = ["filter", "sort", "distribute", "send_alert"];
    for (let round = 0; round < 60; round++) {
      let document = doc([]);
      for (let i = 0; i < 2 + random(7); i++) {
        const ids = (document.steps ?? []).map((step) => step.id);
        const type = types[random(types.length)];
        const config = type === "distribute" ? { groups: [{ name: "A" }, { name: "B" }] } : {};
        const after = ids.length && random(3) > 0 ? ids[random(ids.length)] : TRIGGER_ID;
        document = addStep(document, type, after, config).document;
      }
      for (const step of document.steps ?? []) {
        for (const choice of inputChoices(document, step.id, KINDS, title)) {
          const next = setInput(document, step.id, choice.value);
          if (isRefusal(next)) throw new Error(`${choice.value} → ${step.id}: ${next.refused}`);
          expect(currentInput(next, step.id)).toBe(choice.value);
          for (const other of next.steps ?? []) expect(downstreamOf(next, [other.id]).has(other.id)).toBe(false);
        }
      }
    }
  });
});
