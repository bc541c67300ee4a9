// A step catalog as GET /api/steps answers it, trimmed to what the canvas reads: for tests only (the app loads the
// server's; tests/web/test_step_catalog.py holds the server to these fields).
import type { StepCatalog, StepKind } from "../client";

const kind = (type: string, title: string, color: string, extra: Partial<StepKind> = {}): StepKind => ({
  type,
  title,
  description: "",
  takes_input: type !== "select_conversations",
  config_schema: {},
  icon: "M4 4h16v16H4z",
  color,
  ports_from: null,
  shown_when: {},
  ...extra,
});

export const CATALOG: StepCatalog = {
  steps: [
    kind("select_conversations", "Select Conversations", "blue"),
    kind("process_conversations", "Process Conversations", "violet"),
    kind("filter", "Filter", "orange"),
    kind("sort", "Sort", "cyan"),
    kind("distribute", "Distribute", "teal", { ports_from: { list_field: "groups", name_field: "name" } }),
    kind("send_alert", "Send Alert", "red"),
    kind("schedule_export", "Schedule Export", "green"),
  ],
  triggers: [{ type: "manual", title: "Manual", icon: "M13 2 4 14h7l-1 8 9-12h-7z", color: "grape" }],
  columns: [],
};

export const KINDS = new Map(CATALOG.steps.map((each) => [each.type, each]));
