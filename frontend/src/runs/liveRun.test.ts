import { describe, expect, it } from "vitest";
import type { Run, RunChange, RunStep } from "../client/runs";
import { applyChange, cancelTooLate, nodeRunStates, stepProgress, withDetails } from "./liveRun";

function step(id: string, overrides: Partial<RunStep> = {}): RunStep {
  return {
    id,
    type: "select_conversations",
    status: "pending",
    started_at: null,
    finished_at: null,
    rows_in: null,
    rows_out: null,
    outputs: {},
    credits: 0,
    tally: {},
    error: null,
    ...overrides,
  };
}

function queued(): Run {
  return {
    id: "r1",
    workflow_id: "w1",
    number: 1,
    version: 1,
    status: "queued",
    trigger: { type: "manual", payload: {} },
    test: false,
    created_at: "2024-01-01T10:00:00Z",
    started_at: null,
    finished_at: null,
    runtime_s: null,
    credits: 0,
    conversations_processed: 0,
    error: null,
    steps: [step("pick"), step("analyse", { type: "process_conversations" })],
  };
}

function change(overrides: Partial<RunChange>): RunChange {
  return { id: 1, at: "2024-01-01T10:00:01Z", step_id: null, status: "running", reason: null, counts: {}, ...overrides };
}

describe("applyChange", () => {
  it("moves the run's totals with each batch's progress, never back", () => {
    let run = applyChange(queued(), change({ counts: {} }));
    const progress = { processed: 25, total: 57, credits: 25 };
    run = applyChange(run, change({ id: 2, step_id: "analyse", progress, run_counts: { credits: 25, conversations_processed: 25 } }));
    expect([run.credits, run.conversations_processed]).toEqual([25, 25]);
    expect(run.steps[1].progress).toEqual(progress);
    // An older reading replayed after a newer one leaves the totals where they are.
    run = applyChange(run, change({ id: 3, step_id: "pick", status: "completed", run_counts: { credits: 10, conversations_processed: 10 } }));
    expect([run.credits, run.conversations_processed]).toEqual([25, 25]);
    run = applyChange(run, change({ id: 4, step_id: "analyse", run_counts: { credits: 57, conversations_processed: 57 } }));
    expect([run.credits, run.conversations_processed]).toEqual([57, 57]);
  });

  it("starts the run and stamps its start", () => {
    const run = applyChange(queued(), change({ counts: { credits: 0, conversations_processed: 0 } }));
    expect(run.status).toBe("running");
    expect(run.started_at).toBe("2024-01-01T10:00:01Z");
  });

  it("takes a step's counts and times", () => {
    let run = applyChange(queued(), change({ id: 2, step_id: "pick", status: "running" }));
    expect(run.steps[0]).toMatchObject({ status: "running", started_at: "2024-01-01T10:00:01Z" });
    run = applyChange(
      run,
      change({
        id: 3,
        at: "2024-01-01T10:00:03Z",
        step_id: "pick",
        status: "completed",
        counts: { rows_in: null, rows_out: 40, outputs: { out: 40 }, credits: 0 },
      }),
    );
    expect(run.steps[0]).toMatchObject({ status: "completed", rows_out: 40, outputs: { out: 40 }, finished_at: "2024-01-01T10:00:03Z" });
    expect(run.steps[1].status).toBe("pending");
  });

  it("records a failed step's reason as its error, and the run's end", () => {
    let run = applyChange(queued(), change({ step_id: null, status: "running" }));
    run = applyChange(run, change({ id: 2, step_id: "analyse", status: "failed", reason: "pipeline missing", counts: { credits: 5 } }));
    expect(run.steps[1]).toMatchObject({ status: "failed", error: "pipeline missing", credits: 5 });
    run = applyChange(
      run,
      change({ id: 3, at: "2024-01-01T10:00:05Z", status: "failed", reason: "analyse failed", counts: { credits: 5, conversations_processed: 3 } }),
    );
    expect(run).toMatchObject({ status: "failed", finished_at: "2024-01-01T10:00:05Z", runtime_s: 4, credits: 5, conversations_processed: 3, error: "analyse failed" });
  });

  it("adds a step it did not know (a snapshot taken before the step rows existed)", () => {
    const run = applyChange(queued(), change({ step_id: "late", status: "running" }));
    expect(run.steps.map((s) => s.id)).toEqual(["pick", "analyse", "late"]);
  });

  it("keeps the progress a change carries", () => {
    const progress = { processed: 10, total: 40, credits: 12 };
    const run = applyChange(queued(), change({ step_id: "analyse", status: "running", counts: { ...progress }, progress }));
    expect(run.steps[1]).toMatchObject({ progress, credits: 12 });
    expect(nodeRunStates(run).analyse.progress).toEqual(progress);
  });

  it("reads a progress report from its counts alone, and keeps it through later changes", () => {
    let run = applyChange(queued(), change({ step_id: "analyse", status: "running", counts: { processed: 4, total: 8, credits: 2 } }));
    expect(run.steps[1].progress).toEqual({ processed: 4, total: 8, credits: 2 });
    run = applyChange(run, change({ id: 2, step_id: "analyse", status: "completed", counts: { rows_in: 8, rows_out: 8, credits: 4 } }));
    expect(run.steps[1]).toMatchObject({ status: "completed", rows_out: 8, credits: 4, progress: { processed: 4, total: 8 } });
  });

  it("does not change the run it was given", () => {
    const before = queued();
    applyChange(before, change({ step_id: "pick" }));
    expect(before.steps[0].status).toBe("pending");
  });
});

describe("stepProgress", () => {
  it("falls back to the tally of Process Conversations", () => {
    const done = step("analyse", { type: "process_conversations", rows_in: 40, credits: 30, tally: { processed: 30, reused: 10 } });
    expect(stepProgress(done)).toEqual({ processed: 40, total: 40, credits: 30 });
  });
  it("has none for other steps or before a tally", () => {
    expect(stepProgress(step("pick", { rows_in: 4, tally: { selected: 4 } }))).toBeNull();
    expect(stepProgress(step("analyse", { type: "process_conversations", rows_in: 4 }))).toBeNull();
  });
});

describe("nodeRunStates", () => {
  it("gives the trigger node the run's status and each step node its own", () => {
    const states = nodeRunStates({ ...queued(), status: "running" });
    expect(states.trigger.status).toBe("running");
    expect(states.pick).toMatchObject({ status: "pending", rows_in: null });
  });
});

describe("withDetails", () => {
  it("keeps the previews, exports and messages of the fetched run on the live one", () => {
    const detail = queued();
    detail.steps[0] = { ...detail.steps[0], preview: { out: [{ id: "c1" }] }, exports: [], messages: [] };
    const live = applyChange(queued(), change({ step_id: "pick", status: "completed" }));
    const merged = withDetails(live, detail);
    expect(merged.steps[0]).toMatchObject({ status: "completed", preview: { out: [{ id: "c1" }] } });
    expect(withDetails(live, null)).toBe(live);
  });
});

describe("cancelTooLate", () => {
  it("says the run had already finished, and how", () => {
    expect(cancelTooLate({ number: 4, status: "completed" })).toBe(
      "Run #4 had already completed before the cancel reached it: there was nothing left to cancel.",
    );
    expect(cancelTooLate({ number: 4, status: "failed" })).toMatch(/^Run #4 had already failed/);
    expect(cancelTooLate({ number: 4, status: "cancelled" })).toMatch(/^Run #4 had already been cancelled/);
  });

  it("says nothing while the run goes on", () => {
    expect(cancelTooLate({ number: 4, status: "running" })).toBeNull();
    expect(cancelTooLate({ number: 4, status: "queued" })).toBeNull();
  });
});
