import { describe, expect, it } from "vitest";
import type { Issue, WorkflowDocument } from "../client";
import { groupIssuesByNode, isSelectable, nodeLabel } from "./issueGroups";

const document: WorkflowDocument = {
  name: "QA",
  trigger: { type: "schedule", cron: "0 * * * *" },
  steps: [
    { id: "pick", type: "select_conversations" },
    { id: "low", type: "filter", after: ["pick"] },
  ],
};

const issue = (node: string | null, message = "is required"): Issue => ({ path: "x", message, node });

describe("groupIssuesByNode", () => {
  it("orders the trigger first, steps in document order, and the workflow last", () => {
    const groups = groupIssuesByNode(
      [issue(null, "name"), issue("low"), issue("pick"), issue("trigger"), issue("low", "again")],
      document,
    );
    expect(groups.map((group) => group.node)).toEqual(["trigger", "pick", "low", null]);
    expect(groups[2].issues.map((one) => one.message)).toEqual(["is required", "again"]);
  });

  it("puts node 'workflow' and no node in one Workflow group", () => {
    const groups = groupIssuesByNode([issue("workflow"), issue(null)], document);
    expect(groups).toHaveLength(1);
    expect(groups[0].label).toBe("Workflow");
    expect(groups[0].issues).toHaveLength(2);
  });

  it("keeps an issue of a step the document no longer has, before the workflow group", () => {
    const groups = groupIssuesByNode([issue(null), issue("gone")], document);
    expect(groups.map((group) => group.node)).toEqual(["gone", null]);
    expect(groups[0].label).toBe("Step gone");
  });

  it("answers no groups for no issues", () => {
    expect(groupIssuesByNode([], document)).toEqual([]);
  });
});

describe("nodeLabel", () => {
  it("names the trigger by its type and steps by title and id", () => {
    expect(nodeLabel("trigger", document)).toBe("Trigger: On a Schedule");
    expect(nodeLabel("trigger", { name: "empty" })).toBe("Trigger");
    expect(nodeLabel("low", document)).toBe("Filter (low)");
  });
});

describe("isSelectable", () => {
  it("selects the trigger and existing steps only", () => {
    expect(isSelectable("trigger", document)).toBe(true);
    expect(isSelectable("pick", document)).toBe(true);
    expect(isSelectable("gone", document)).toBe(false);
    expect(isSelectable(null, document)).toBe(false);
  });
});
