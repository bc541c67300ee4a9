import { describe, expect, it } from "vitest";
import type { OutboxMessage } from "../client/runs";
import { deliveryNote, sameOrigin } from "./deliveries";
import { cellText, criterionCell, previewColumns } from "./preview";

describe("preview", () => {
  it("lists every column in first-seen order", () => {
    expect(previewColumns([{ id: 1, score: 2 }, { id: 2, group: "A" }])).toEqual(["id", "score", "group"]);
  });
  it("writes cells short", () => {
    expect(cellText(["vip", "billing"])).toBe("vip, billing");
    expect(cellText(null)).toBe("");
    expect(cellText(0.123456)).toBe("0.123");
    expect(cellText({ a: 1 })).toBe('{"a":1}');
    expect(cellText("x".repeat(200))).toHaveLength(80);
  });
});

function message(overrides: Partial<OutboxMessage>): OutboxMessage {
  return {
    id: "m1",
    run_id: "r1",
    workflow_id: "w1",
    step_id: "tell",
    kind: "alert",
    to: ["qa@example.com"],
    subject: "s",
    text: "t",
    html: null,
    status: "pending",
    reason: null,
    sendable: false,
    attempts: [],
    created_at: null,
    sent_at: null,
    ...overrides,
  };
}

describe("deliveryNote", () => {
  it("says why a message is held", () => {
    expect(deliveryNote(message({ status: "held", reason: "not sent: no SMTP server configured" }))).toBe(
      "not sent: no SMTP server configured",
    );
  });
  it("counts attempts and gives the last failure once", () => {
    const failed = message({
      status: "failed",
      reason: "connection refused",
      attempts: [
        { at: null, ok: false, error: "timeout" },
        { at: null, ok: false, error: "connection refused" },
      ],
    });
    expect(deliveryNote(failed)).toBe("2 attempts · last: connection refused");
  });
});

describe("sameOrigin", () => {
  it("keeps the path and signature of an API link, whatever host the server signed it for", () => {
    expect(sameOrigin("http://127.0.0.1:8000/api/exports/e1/download?sig=abc")).toBe("/api/exports/e1/download?sig=abc");
    expect(sameOrigin("/api/exports/e1/download?sig=abc")).toBe("/api/exports/e1/download?sig=abc");
    expect(sameOrigin("https://files.example.com/x.csv")).toBe("https://files.example.com/x.csv");
  });
});

describe("criterionCell", () => {
  const reasons = { c1: { apology: "Does not apply: it counts only when a customer turn is below -0.3 (…)." } };

  it("says the verdict as a word and why, for its row's conversation", () => {
    expect(criterionCell("criterion.apology", { id: "c1", "criterion.apology": null }, reasons)).toEqual({
      text: "N/A",
      reason: reasons.c1.apology,
    });
    expect(criterionCell("criterion.greeting", { id: "c1", "criterion.greeting": true }, reasons)).toEqual({ text: "Pass", reason: null });
    expect(criterionCell("criterion.greeting", { id: "c2", "criterion.greeting": false }, undefined)?.text).toBe("Fail");
  });

  it("leaves other columns alone", () => {
    expect(criterionCell("score", { id: "c1", score: 50 }, reasons)).toBeNull();
  });
});
