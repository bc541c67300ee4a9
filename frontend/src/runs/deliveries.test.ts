import { describe, expect, it } from "vitest";
import type { MessageStatus, OutboxMessage, RunStatus } from "../client/runs";
import { canSendAgain, deliveryNote, retryNote, sameOrigin } from "./deliveries";

function message(status: MessageStatus, extra: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    id: "m1",
    run_id: "r1",
    workflow_id: "w1",
    step_id: "tell",
    kind: "alert",
    to: ["qa@example.com"],
    subject: "Hello",
    text: "Hi",
    html: null,
    status,
    reason: null,
    sendable: status === "held" || status === "failed",
    attempts: [],
    created_at: "2026-11-24T08:00:00Z",
    sent_at: null,
    ...extra,
  };
}

describe("canSendAgain", () => {
  it("offers Send now for held and failed messages of a run that was not cancelled", () => {
    const statuses: MessageStatus[] = ["pending", "sending", "sent", "failed", "held"];
    const runs: RunStatus[] = ["queued", "running", "completed", "failed", "cancelled"];
    for (const status of statuses) {
      for (const run of runs) {
        const expected = (status === "held" || status === "failed") && run !== "cancelled";
        expect(canSendAgain(message(status), run)).toBe(expected);
      }
    }
  });

  it("never offers a test run's message: it shows what would be sent", () => {
    const wouldBe = message("held", { reason: "would be sent: a test run sends no email", sendable: false });
    expect(canSendAgain(wouldBe, "completed")).toBe(false);
  });
});

describe("deliveryNote", () => {
  it("tells the attempts, the last error and the reason once", () => {
    const failed = message("failed", {
      reason: "550 rejected (gave up after 2 attempts)",
      attempts: [
        { at: null, ok: false, error: "421 busy" },
        { at: null, ok: false, error: "550 rejected (gave up after 2 attempts)" },
      ],
    });
    expect(deliveryNote(failed)).toBe("2 attempts · last: 550 rejected (gave up after 2 attempts)");
    expect(deliveryNote(message("held", { reason: "not sent: no SMTP server configured" }))).toBe(
      "not sent: no SMTP server configured",
    );
    expect(deliveryNote(message("pending"))).toBe("");
  });
});

describe("sameOrigin", () => {
  it("keeps an API link's path and query, and leaves other links alone", () => {
    expect(sameOrigin("http://10.0.0.5:8000/api/exports/abc/download?sig=x.y")).toBe("/api/exports/abc/download?sig=x.y");
    expect(sameOrigin("https://example.com/elsewhere")).toBe("https://example.com/elsewhere");
  });
});

describe("retryNote", () => {
  const base = message("pending");
  const failed = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ at: `2024-01-01T10:00:0${i}Z`, ok: false, error: "450 4.2.0 Greylisted" }));

  it("says which attempt failed of how many, and when the next is", () => {
    const waiting = { ...base, attempts: failed(2), next_attempt_at: "2024-01-01T10:00:10Z" };
    const note = retryNote(waiting, 6, new Date("2024-01-01T10:00:06Z"));
    expect(note).toMatch(/^Retrying: attempt 2 of 6 failed \(450 4\.2\.0 Greylisted\) · next try at .+ \(in 4 s\)$/);
  });

  it("says nothing of a message that is not waiting on a retry", () => {
    const now = new Date("2024-01-01T10:00:06Z");
    expect(retryNote(base, 6, now)).toBeNull(); // not tried yet
    expect(retryNote({ ...base, status: "failed", attempts: failed(6) }, 6, now)).toBeNull();
    expect(retryNote({ ...base, status: "sent", attempts: [{ at: null, ok: true, error: null }] }, 6, now)).toBeNull();
  });
});
