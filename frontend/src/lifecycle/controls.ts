// Which lifecycle controls the header shows for a workflow's state and the user's role. Pure, so tested alone.
import type { Workflow } from "../client";

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
