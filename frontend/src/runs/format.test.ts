import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatCredits,
  formatRuntime,
  secondsBetween,
  statusColor,
  statusLabel,
  syncFailure,
  triggerLabel,
} from "./format";

describe("formatRuntime", () => {
  it("writes short runs in seconds with a decimal under ten", () => {
    expect(formatRuntime(4.24)).toBe("4.2s");
    expect(formatRuntime(0)).toBe("0s");
    expect(formatRuntime(42.4)).toBe("42s");
  });
  it("writes minutes and hours", () => {
    expect(formatRuntime(75)).toBe("1m 15s");
    expect(formatRuntime(3725)).toBe("1h 2m 5s");
  });
  it("writes a dash while a run has no runtime", () => {
    expect(formatRuntime(null)).toBe("—");
    expect(formatRuntime(undefined)).toBe("—");
  });
});

describe("formatCredits", () => {
  it("keeps two decimals at most and groups thousands", () => {
    expect(formatCredits(1234.567)).toBe("1,234.57");
    expect(formatCredits(120)).toBe("120");
    expect(formatCredits(0)).toBe("0");
  });
  it("writes a dash for no value", () => {
    expect(formatCredits(null)).toBe("—");
  });
});

describe("formatBytes", () => {
  it("picks a unit", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});

describe("secondsBetween", () => {
  it("measures a step's duration, null until it ends", () => {
    expect(secondsBetween("2024-01-01T00:00:00Z", "2024-01-01T00:00:02.5Z")).toBe(2.5);
    expect(secondsBetween("2024-01-01T00:00:00Z", null)).toBeNull();
  });
});

describe("status and trigger words", () => {
  it("colors statuses", () => {
    expect(statusColor("failed")).toBe("red");
    expect(statusColor("completed")).toBe("green");
    expect(statusColor("something new")).toBe("gray");
  });
  it("capitalises statuses and names triggers as the guide does", () => {
    expect(statusLabel("running")).toBe("Running");
    expect(triggerLabel("schedule")).toBe("On a Schedule");
    expect(triggerLabel("odd_kind")).toBe("odd kind");
  });
});

describe("a test run's trigger", () => {
  it("is a manual test whatever the workflow's trigger", () => {
    expect(triggerLabel("schedule", true)).toBe("Manual test");
    expect(triggerLabel("sync_completed", true)).toBe("Manual test");
    expect(triggerLabel("schedule")).not.toBe("Manual test");
  });
});

describe("a Sync Failed run's failure", () => {
  const run = (type: string, payload: Record<string, unknown>) =>
    ({ trigger: { type, payload } }) as unknown as Parameters<typeof syncFailure>[0];

  it("names the integration and says why, file and line included", () => {
    const failed = run("sync_failed", { integration: "calls", error: "batch2.jsonl:2: not valid JSON" });
    expect(syncFailure(failed)).toEqual({ integration: "calls", error: "batch2.jsonl:2: not valid JSON" });
  });

  it("lists every reason of the syncs a queued run stands for, and is nothing for other runs", () => {
    const merged = run("sync_failed", { integration: "calls", error: "a", errors: ["a", "b"] });
    expect(syncFailure(merged)?.error).toBe("a; b");
    expect(syncFailure(run("sync_completed", { integration: "calls" }))).toBeNull();
  });
});
