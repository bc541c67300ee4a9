// Which lifecycle controls the header shows for a workflow's state and the user's role. Pure, so tested alone.
import type { Workflow } from "../client";
import type { VersionEstimate } from "../client/estimate";

export interface LifecycleControls {
  publish: boolean;
  pause: boolean;
  resume: boolean;
  /** "Edit workflow": a fresh draft from the live version. */
  edit: boolean;
  runNow: boolean;
  testRun: boolean;
  /** "Set as active" in Workflow versions. */
  activate: boolean;
}

/** A viewer sees Final checks and Workflow versions only; editors get what the workflow's state allows. */
export function lifecycleControls(workflow: Workflow, readOnly: boolean): LifecycleControls {
  if (readOnly) {
    return { publish: false, pause: false, resume: false, edit: false, runNow: false, testRun: false, activate: false };
  }
  const published = workflow.active_version !== null && workflow.state !== "draft";
  const unpublished = workflow.notice !== null;
  return {
    // A draft, or a published workflow whose draft differs from its active version.
    publish: workflow.state === "draft" || unpublished,
    pause: workflow.state === "live",
    resume: workflow.state === "paused",
    edit: published && (unpublished || workflow.state === "live"),
    runNow: published,
    // A test run charges nothing: useful before publishing too (it runs the draft then).
    testRun: true,
    activate: true,
  };
}

/** What went wrong, for an Alert: the problem's detail, else its title (issues are listed apart). */

export { problemMessage } from "../client/problem";

/**
 * What the publish dialog warns about, from the draft's estimate: a run as estimated that a limit would cut short
 * (or that the used-up call limit would not start); null when a run fits its limits.
 */
export function limitWarning(estimate: VersionEstimate): string | null {
  const limits = estimate.limits;
  if (!limits) return null;
  const about = `About ${estimate.conversations.toLocaleString()} conversations and ${estimate.credits_without_limits.toLocaleString(
    undefined,
    { maximumFractionDigits: 2 },
  )} credits per run`;
  if (!limits.firing_allowed) return `${about}; the call limit is used up: no run would start until calls fall out of the last 24 hours.`;
  if (limits.cuts_in === null) return null;
  const limit = limits.cuts_in === "credits_limit" ? limits.credits_limit : limits.call_limit;
  const name = limits.cuts_in === "credits_limit" ? "credits limit" : "call limit";
  const after = limit?.stops_after ?? estimate.processed;
  return `${about}; the ${name} would stop it after ${after.toLocaleString()} of ${estimate.to_process.toLocaleString()} conversations to process.`;
}

/**
 * What a run of the draft would take, for the publish dialog: "About 57 conversations (12 already processed) and
 * 45 credits per run." When a limit would cut the run short, `limitWarning` says it instead.
 */
export function estimateSummary(estimate: VersionEstimate): string {
  const reused = estimate.conversations - estimate.to_process;
  const credits = estimate.credits_without_limits.toLocaleString(undefined, { maximumFractionDigits: 2 });
  const already = reused > 0 ? ` (${reused.toLocaleString()} already processed)` : "";
  return `About ${estimate.conversations.toLocaleString()} conversations${already} and ${credits} credits per run.`;
}
