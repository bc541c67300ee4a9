// Display names from the guide (../shared/seed/workflows-guide.txt).
import type { Trigger } from "./client";

export const STEP_TITLES: Record<string, string> = {
  select_conversations: "Select Conversations",
  process_conversations: "Process Conversations",
  filter: "Filter",
  sort: "Sort",
  distribute: "Distribute",
  send_alert: "Send Alert",
  schedule_export: "Schedule Export",
};

export const TRIGGER_TITLES: Record<string, string> = {
  schedule: "On a Schedule",
  sync_started: "Integration Sync Started",
  sync_completed: "Integration Sync Completed",
  sync_failed: "Integration Sync Failed",
  manual: "Manual",
};

export const TRIGGER_PLACEHOLDER = "Select a trigger to start a workflow";

export function stepTitle(type: string): string {
  return STEP_TITLES[type] ?? type;
}

export function triggerTitle(trigger: Trigger): string {
  return TRIGGER_TITLES[trigger.type] ?? trigger.type;
}

/** A one-line summary under the trigger's title. */
export function triggerSummary(trigger: Trigger): string {
  if (trigger.type === "schedule") {
    const zone = trigger.timezone ? ` (${trigger.timezone})` : "";
    if (trigger.cron) return `cron ${trigger.cron}${zone}`;
    if (trigger.daily) return `daily at ${trigger.daily}${zone}`;
    if (trigger.every?.minutes) return `every ${trigger.every.minutes} minutes`;
    if (trigger.every?.hours) return `every ${trigger.every.hours} hours`;
    if (trigger.weekly) return `weekly${zone}`;
    if (trigger.monthly) return `monthly${zone}`;
    return "";
  }
  if (trigger.type.startsWith("sync_")) return trigger.integration ? `integration ${trigger.integration}` : "any integration";
  return "";
}
