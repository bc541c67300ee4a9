// The guide's words for the lifecycle controls (seed/workflows-guide.txt), character for character.

export const FIX_BEFORE_PUBLISHING = "Make sure all issues are fixed before publishing this workflow.";
export const PUBLISH_REFUSED = "Please resolve the issues in the workflow before publishing the workflow.";
export const PUBLISH_QUESTION = "Are you sure you want to publish this workflow?";
export const PUBLISH_NOTE = "This will make the workflow live and available for execution.";
export const PAUSE_NOTE = "No new runs start until you resume it. This will not affect any ongoing workflow runs.";
export const RESUME_NOTE = "The workflow goes live again: this will resume any upcoming workflow runs.";
export const EDIT_NOTE =
  "Edit workflow creates a fresh draft from the live version without affecting what's currently running.";
export const VERSIONS_HINT = "Select a version to view, or make one active";
/** Run now / Test run of a draft that Final checks refuse (not the guide's words: it has none for this). */
export const RUN_REFUSED = "Please resolve the issues in the workflow before running it.";
