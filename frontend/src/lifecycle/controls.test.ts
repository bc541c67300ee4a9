import type { VersionEstimate } from "../client/estimate";
import { describe, expect, it } from "vitest";
import { ApiError, type Workflow } from "../client";
import { estimateSummary, lifecycleControls, problemMessage, limitWarning } from "./controls";

function workflow(overrides: Partial<Workflow>): Workflow {
  return {
    id: "w1",
    name: "QA",
    status: "Draft",
    state: "draft",
    active_version: null,
    created_by: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    paused_reason: null,
    notice: null,
    last_run: null,
    ...overrides,
  };
}

const NOTICE = "This workflow has changes that are not published yet.";

describe("lifecycleControls", () => {
  it("offers Publish and Test run for a draft, nothing that needs a version", () => {
    const controls = lifecycleControls(workflow({}), false);
    expect(controls).toMatchObject({ publish: true, pause: false, resume: false, edit: false, runNow: false, testRun: true });
  });

  it("offers Pause, Edit workflow and Run now for a live workflow; Publish only with unpublished changes", () => {
    const live = workflow({ status: "Live", state: "live", active_version: 1 });
    expect(lifecycleControls(live, false)).toMatchObject({ publish: false, pause: true, edit: true, runNow: true });
    const changed = { ...live, status: "Unpublished Changes" as const, notice: NOTICE };
    expect(lifecycleControls(changed, false)).toMatchObject({ publish: true, pause: true, edit: true });
  });

  it("offers Resume for a paused workflow, and Edit workflow only when its draft changed", () => {
    const paused = workflow({ status: "Paused", state: "paused", active_version: 2 });
    expect(lifecycleControls(paused, false)).toMatchObject({ resume: true, pause: false, edit: false, runNow: true });
    expect(lifecycleControls({ ...paused, notice: NOTICE }, false)).toMatchObject({ edit: true, publish: true });
  });

  it("gives a viewer no controls", () => {
    const live = workflow({ status: "Live", state: "live", active_version: 1, notice: NOTICE });
    expect(Object.values(lifecycleControls(live, true)).some(Boolean)).toBe(false);
  });
});

describe("problemMessage", () => {
  it("prefers the problem's detail, then its title", () => {
    expect(problemMessage(new ApiError(409, "Conflict", "only a live workflow can be paused"))).toBe(
      "only a live workflow can be paused",
    );
    expect(problemMessage(new ApiError(500, "Internal Server Error", null))).toBe("Internal Server Error");
    expect(problemMessage(new Error("boom"))).toBe("boom");
  });
});

describe("limitWarning", () => {
  const estimate = (limits: VersionEstimate["limits"]): VersionEstimate => ({
    version: null,
    conversations: 500,
    to_process: 500,
    processed: 20,
    credits: 20,
    credits_without_limits: 500,
    limits,
  });

  it("says which limit would stop a run as estimated, and after how many", () => {
    const credits = { limit: 20, remaining: 20, stops_after: 20 };
    expect(limitWarning(estimate({ call_limit: null, credits_limit: credits, firing_allowed: true, cuts_in: "credits_limit" }))).toBe(
      "About 500 conversations and 500 credits per run; the credits limit would stop it after 20 of 500 conversations to process.",
    );
  });

  it("warns that no run would start while the call limit is used up, and says nothing when a run fits", () => {
    const used = { limit: 10, remaining: 0, stops_after: 0 };
    expect(limitWarning(estimate({ call_limit: used, credits_limit: null, firing_allowed: false, cuts_in: "call_limit" }))).toContain(
      "the call limit is used up",
    );
    expect(limitWarning(estimate({ call_limit: null, credits_limit: null, firing_allowed: true, cuts_in: null }))).toBeNull();
    expect(limitWarning(estimate(null))).toBeNull();
  });
});

describe("estimateSummary", () => {
  const estimate = (conversations: number, toProcess: number, credits: number): VersionEstimate => ({
    version: null,
    conversations,
    to_process: toProcess,
    processed: toProcess,
    credits,
    credits_without_limits: credits,
    limits: null,
  });

  it("says how many conversations and credits a run would take", () => {
    expect(estimateSummary(estimate(57, 57, 57))).toBe("About 57 conversations and 57 credits per run.");
  });

  it("says how many of them already have results (reused, not charged)", () => {
    expect(estimateSummary(estimate(57, 45, 45.5))).toBe("About 57 conversations (12 already processed) and 45.5 credits per run.");
  });
});
