import { describe, expect, it } from "vitest";
import { queuedText } from "./OutboxPage";

describe("queuedText", () => {
  it("says how many held emails went, or that none was waiting", () => {
    expect(queuedText(0)).toBe("No email was waiting for an SMTP server.");
    expect(queuedText(1)).toBe("1 held email queued to be sent.");
    expect(queuedText(3)).toBe("3 held emails queued to be sent.");
  });
});
