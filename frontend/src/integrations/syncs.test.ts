import { describe, expect, it } from "vitest";
import type { Sync } from "../client/integrations";
import { syncCounts } from "./syncs";

function sync(counts: Record<string, number>): Sync {
  return {
    id: "s1",
    integration_id: 1,
    integration: "crm",
    status: "completed",
    started_at: "2026-12-06T09:00:00Z",
    finished_at: "2026-12-06T09:00:01Z",
    window: { start: "2026-12-06T09:00:00Z", end: "2026-12-06T09:00:01Z" },
    counts,
    conversation_ids: [],
    error: null,
  };
}

describe("syncCounts", () => {
  it("says what a sync brought, leaving out what did not happen", () => {
    expect(syncCounts(sync({ received: 3, imported: 2, updated: 1, unchanged: 0 }))).toBe(
      "3 received · 2 new · 1 updated",
    );
    expect(syncCounts(sync({}))).toBe("0 received");
  });
});
