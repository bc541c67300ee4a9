// How a sync reads in the Integrations page: its counts in a line.
import type { Sync } from "../client/integrations";

/** "3 received · 2 new · 1 updated" (the counts a sync has, in that order; zeros left out but received). */
export function syncCounts(sync: Sync): string {
  const parts = [`${sync.counts.received ?? 0} received`];
  if (sync.counts.imported) parts.push(`${sync.counts.imported} new`);
  if (sync.counts.updated) parts.push(`${sync.counts.updated} updated`);
  if (sync.counts.unchanged) parts.push(`${sync.counts.unchanged} unchanged`);
  return parts.join(" · ");
}
