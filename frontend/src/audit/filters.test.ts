import { describe, expect, it } from "vitest";
import { NO_FILTERS, auditQuery, detailText } from "./filters";

describe("auditQuery", () => {
  it("asks for everything, one page at a time, without filters", () => {
    expect(auditQuery(NO_FILTERS, 3, 50)).toEqual({
      workflow_id: null,
      action: null,
      actor: null,
      since: null,
      until: null,
      limit: 50,
      offset: 100,
    });
  });

  it("takes the whole of the last day and trims the actor", () => {
    const query = auditQuery({ ...NO_FILTERS, actor: "  ana@ ", from: "2026-03-01", to: "2026-03-01" }, 1, 50);
    expect(query.actor).toBe("ana@");
    expect(new Date(query.until ?? "").getTime() - new Date(query.since ?? "").getTime()).toBe(24 * 3600 * 1000);
    expect(new Date(query.since ?? "").getDate()).toBe(1);
  });

  it("leaves out a day that is not one", () => {
    expect(auditQuery({ ...NO_FILTERS, from: "yesterday" }, 1, 50).since).toBeNull();
  });
});

describe("detailText", () => {
  it("puts each detail in a line, nested ones as JSON", () => {
    expect(detailText({ version: 2, reason: "credits limit reached", limits: { call_limit: 5 }, was: null })).toBe(
      'version: 2 · reason: credits limit reached · limits: {"call_limit":5} · was: —',
    );
  });
});
