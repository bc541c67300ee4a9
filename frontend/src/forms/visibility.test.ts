import { describe, expect, it } from "vitest";
import { isFieldShown, type ShownWhen } from "./visibility";
import { random } from "../testing/seeded";

const MODES = ["counts", "percentage", "rules", "round_robin", "other"];

describe("isFieldShown", () => {
  it("follows any kind's own rule, not a copy kept for one kind", () => {
    // A kind the UI has never heard of: only the catalog can say that `depth` belongs to the "deep" style.
    const rule: ShownWhen = { depth: { style: ["deep"] } };
    expect(isFieldShown(rule, "depth", { style: "shallow" }, undefined)).toBe(false);
    expect(isFieldShown(rule, "depth", { style: "deep" }, undefined)).toBe(true);
    // Distribute's `count` shows in Counts mode only, as long as the catalog says so.
    expect(isFieldShown({}, "count", { mode: "rules" }, undefined)).toBe(true);
    expect(isFieldShown({ count: { mode: ["counts"] } }, "count", { mode: "rules" }, undefined)).toBe(false);
  });

  it("over random rules and configs: a field without a rule, or holding a value, shows; else exactly its values show it", () => {
    const next = random(20261207);
    const pick = <T,>(items: T[]): T => items[Math.floor(next() * items.length)];
    for (let round = 0; round < 500; round += 1) {
      const allowed = MODES.filter(() => next() < 0.5);
      const shownWhen: ShownWhen = next() < 0.8 ? { seed: { mode: allowed } } : {};
      const mode = next() < 0.9 ? pick(MODES) : undefined;
      const value = pick([undefined, null, false, 0, 3, "x"]);
      const shown = isFieldShown(shownWhen, "seed", { mode }, value);
      const held = value !== undefined && value !== null && value !== false;
      const expected = !shownWhen.seed || held || mode === undefined || allowed.includes(mode);
      expect(shown, JSON.stringify({ shownWhen, mode, value })).toBe(expected);
      // A field the rule does not name is never hidden.
      expect(isFieldShown(shownWhen, "name", { mode }, undefined)).toBe(true);
    }
  });
});
