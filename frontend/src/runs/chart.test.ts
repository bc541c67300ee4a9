import { describe, expect, it } from "vitest";
import type { RunSummary } from "../client/runs";
import { runSeries } from "./chart";

function summary(number: number, overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id: `run-${number}`,
    number,
    status: "completed",
    version: 1,
    trigger_type: "manual",
    test: false,
    created_at: `2024-01-0${number}T10:00:00Z`,
    started_at: `2024-01-0${number}T10:00:01Z`,
    finished_at: `2024-01-0${number}T10:00:05Z`,
    runtime_s: 4.04,
    credits: number * 10,
    conversations_processed: number,
    ...overrides,
  };
}

describe("runSeries", () => {
  it("puts the runs oldest first (the API lists newest first)", () => {
    const points = runSeries([summary(3), summary(2), summary(1)]);
    expect(points.map((point) => point.run)).toEqual(["#1", "#2", "#3"]);
    expect(points.map((point) => point.credits)).toEqual([10, 20, 30]);
    expect(points.map((point) => point.conversations)).toEqual([1, 2, 3]);
  });
  it("rounds runtime and leaves it null for an unfinished run", () => {
    const points = runSeries([summary(2, { status: "running", runtime_s: null, finished_at: null }), summary(1)]);
    expect(points[0].runtime).toBe(4);
    expect(points[1].runtime).toBeNull();
  });
  it("can leave test runs out", () => {
    const points = runSeries([summary(2, { test: true }), summary(1)], { includeTests: false });
    expect(points.map((point) => point.run)).toEqual(["#1"]);
  });
  it("falls back to when a queued run was created", () => {
    const [point] = runSeries([summary(1, { started_at: null })]);
    expect(point.at).not.toBe("");
  });
});
