import { describe, expect, it } from "vitest";
import { chosenOption, describeFields, type FieldSpec } from "./schema";

const GROUP = {
  type: "object",
  properties: { combinator: { type: "string", enum: ["and", "or"] }, rules: { type: "array", items: {} } },
};

const SCHEMA = {
  $defs: {
    Group: GROUP,
    FromIntegration: {
      type: "object",
      properties: { integration: { type: "string", title: "Integration" } },
      required: ["integration"],
    },
    FromPipeline: { type: "object", properties: { pipeline: { type: "string", title: "Pipeline" } }, required: ["pipeline"] },
    SortKey: {
      type: "object",
      properties: { field: { type: "string", title: "Column" }, direction: { type: "string", enum: ["asc", "desc"], default: "asc" } },
      required: ["field"],
    },
  },
  type: "object",
  required: ["subject", "condition"],
  properties: {
    subject: { type: "string", title: "Subject", description: "The line.", helper: "One line." },
    message: { type: "string", title: "Message" },
    recipients: { type: "array", items: { type: "string" }, title: "Recipients" },
    columns: { type: "array", items: { type: "string" }, title: "Columns" },
    limit: { anyOf: [{ type: "integer", minimum: 1 }, { type: "null" }], default: null, title: "Take at most", helper: "Empty: all." },
    state: { type: "string", enum: ["processed", "unprocessed", "all"], default: "all" },
    condition: { $ref: "#/$defs/Group", title: "Condition", helper: "Rules." },
    filter: { anyOf: [{ $ref: "#/$defs/Group" }, { type: "null" }], default: null, title: "Filter" },
    pipeline: { anyOf: [{ type: "string" }, { type: "null" }], default: null, title: "Pipeline" },
    by: { type: "array", items: { $ref: "#/$defs/SortKey" }, title: "Sort by" },
    source: {
      anyOf: [{ $ref: "#/$defs/FromIntegration" }, { $ref: "#/$defs/FromPipeline" }, { enum: ["all", "trigger"], type: "string" }, { type: "null" }],
      default: null,
      title: "Source",
    },
    reprocess: { type: "boolean", default: false },
  },
};

function byKey(fields: FieldSpec[]): Record<string, FieldSpec> {
  return Object.fromEntries(fields.map((field) => [field.key, field]));
}

describe("describeFields", () => {
  const fields = byKey(describeFields(SCHEMA));

  it("keeps the schema's order, titles, descriptions and helper text", () => {
    expect(Object.keys(fields)[0]).toBe("subject");
    expect(fields.subject).toMatchObject({ title: "Subject", description: "The line.", helper: "One line.", required: true });
    expect(fields.reprocess.title).toBe("Reprocess");
  });

  it("picks a widget for each kind of field", () => {
    expect(fields.subject.widget.kind).toBe("text");
    expect(fields.message.widget.kind).toBe("textarea");
    expect(fields.recipients.widget.kind).toBe("tags");
    expect(fields.columns.widget.kind).toBe("columns");
    expect(fields.state.widget).toEqual({ kind: "enum", options: ["processed", "unprocessed", "all"] });
    expect(fields.reprocess.widget.kind).toBe("boolean");
    expect(fields.pipeline.widget.kind).toBe("pipeline");
  });

  it("unwraps an optional field (anyOf with null) and keeps its annotations", () => {
    expect(fields.limit).toMatchObject({ nullable: true, helper: "Empty: all.", title: "Take at most" });
    expect(fields.limit.widget).toEqual({ kind: "number", integer: true, min: 1, max: undefined });
  });

  it("edits any reference to the Group definition as a condition, optional or not", () => {
    expect(fields.condition.widget.kind).toBe("condition");
    expect(fields.condition.helper).toBe("Rules.");
    expect(fields.filter.widget.kind).toBe("condition");
    expect(fields.filter.nullable).toBe(true);
  });

  it("describes a list of objects with its item's fields; a sort key's field is a column", () => {
    const widget = fields.by.widget;
    expect(widget.kind).toBe("list");
    if (widget.kind !== "list") return;
    const item = byKey(widget.fields);
    expect(item.field.widget.kind).toBe("column");
    expect(item.direction).toMatchObject({ default: "asc", widget: { kind: "enum", options: ["asc", "desc"] } });
  });

  it("offers the alternatives of a union field", () => {
    const widget = fields.source.widget;
    expect(widget.kind).toBe("choice");
    if (widget.kind !== "choice") return;
    expect(widget.options.map((option) => option.label)).toEqual(["Integration", "Pipeline", "All", "The trigger's conversations"]);
    const integration = widget.options[0];
    expect(integration.kind === "object" && integration.field.widget.kind).toBe("integration");
    expect(chosenOption(widget.options, { pipeline: "qa" })?.label).toBe("Pipeline");
    expect(chosenOption(widget.options, "trigger")?.label).toBe("The trigger's conversations");
    expect(chosenOption(widget.options, null)).toBeNull();
  });
});
