// A step's and a trigger's display name, from the step catalog (GET /api/steps: each kind's own title). No copy
// of the names lives here: before the catalog has answered, a type reads as words ("send_alert" → "Send alert").
import { knownCatalog, type StepCatalog, type Trigger } from "./client";

export const TRIGGER_PLACEHOLDER = "Select a trigger to start a workflow";

/** The guide's trigger names, for pages that name a run's trigger type without the catalog (the runs list). */
export const TRIGGER_TITLES: Record<string, string> = {
  schedule: "On a Schedule",
  sync_started: "Integration Sync Started",
  sync_completed: "Integration Sync Completed",
  sync_failed: "Integration Sync Failed",
  manual: "Manual",
};

function words(type: string): string {
  const text = type.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function stepTitle(type: string, catalog: StepCatalog | null = knownCatalog()): string {
  return catalog?.steps.find((kind) => kind.type === type)?.title ?? words(type);
}

export function triggerTitle(trigger: Trigger, catalog: StepCatalog | null = knownCatalog()): string {
  return catalog?.triggers.find((kind) => kind.type === trigger.type)?.title ?? TRIGGER_TITLES[trigger.type] ?? words(trigger.type);
}

/** A one-line summary under the trigger's title (the canvas shows the server's, POST /steps/summaries). */
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
