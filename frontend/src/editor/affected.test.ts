import { describe, expect, it } from "vitest";
import { affectedMessage } from "./affected";

describe("affectedMessage", () => {
  it("says how many steps a deletion affects", () => {
    expect(affectedMessage(2)).toBe("2 steps after this one will be affected.");
    expect(affectedMessage(1)).toBe("1 step after this one will be affected.");
    expect(affectedMessage(0)).toBe("No other steps depend on it.");
  });
  it("speaks of several steps deleted together", () => {
    expect(affectedMessage(2, true)).toBe("2 steps after these will be affected.");
    expect(affectedMessage(0, true)).toBe("No other steps depend on them.");
  });
});
