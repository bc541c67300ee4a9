import { describe, expect, it } from "vitest";
import type { Trigger } from "../client";
import { formatFireTime, newTrigger, scheduleFormOf, withSchedule } from "./schedule";

describe("scheduleFormOf", () => {
  it("reads each kind of schedule", () => {
    expect(scheduleFormOf({ type: "schedule", cron: "0 2 * * *" }).kind).toBe("cron");
    expect(scheduleFormOf({ type: "schedule", every: { minutes: 15 } })).toMatchObject({ kind: "minutes", every: 15 });
    expect(scheduleFormOf({ type: "schedule", every: { hours: 6 } })).toMatchObject({ kind: "hours", every: 6 });
    expect(scheduleFormOf({ type: "schedule", daily: "02:00" })).toMatchObject({ kind: "daily", time: "02:00" });
    expect(scheduleFormOf({ type: "schedule", weekly: { days: ["mon", "fri"], time: "07:30" } })).toMatchObject({
      kind: "weekly",
      days: ["mon", "fri"],
      time: "07:30",
    });
    expect(scheduleFormOf({ type: "schedule", monthly: { day: 31, time: "23:00" } })).toMatchObject({
      kind: "monthly",
      day: 31,
      time: "23:00",
    });
  });
});

describe("withSchedule", () => {
  it("replaces the schedule and keeps the time zone", () => {
    const trigger: Trigger = { type: "schedule", daily: "02:00", timezone: "Europe/London" };
    const weekly = withSchedule(trigger, { ...scheduleFormOf(trigger), kind: "weekly", days: ["tue"] });
    expect(weekly).toEqual({ type: "schedule", weekly: { days: ["tue"], time: "02:00" }, timezone: "Europe/London" });
  });

  it("round-trips every kind", () => {
    const triggers: Trigger[] = [
      { type: "schedule", cron: "*/5 * * * *", timezone: "UTC" },
      { type: "schedule", every: { minutes: 10 }, timezone: "UTC" },
      { type: "schedule", every: { hours: 2 }, timezone: "UTC" },
      { type: "schedule", daily: "06:15", timezone: "UTC" },
      { type: "schedule", weekly: { days: ["sat", "sun"], time: "10:00" }, timezone: "UTC" },
      { type: "schedule", monthly: { day: 15, time: "12:00" }, timezone: "UTC" },
    ];
    for (const trigger of triggers) expect(withSchedule(trigger, scheduleFormOf(trigger))).toEqual(trigger);
  });
});

describe("newTrigger", () => {
  it("starts a schedule daily in the given zone, a sync trigger on any integration", () => {
    expect(newTrigger("schedule", "Europe/Paris")).toEqual({ type: "schedule", daily: "09:00", timezone: "Europe/Paris" });
    expect(newTrigger("sync_completed")).toEqual({ type: "sync_completed" });
  });
});

describe("formatFireTime", () => {
  it("shows a UTC fire time in the trigger's zone", () => {
    expect(formatFireTime("2026-07-01T01:00:00Z", "Europe/London")).toBe("Wed, 1 Jul 2026, 02:00 BST");
  });

  it("falls back to the server's text for a zone the browser does not know", () => {
    expect(formatFireTime("2026-07-01T01:00:00Z", "Mars/Olympus")).toBe("2026-07-01T01:00:00Z");
  });
});
