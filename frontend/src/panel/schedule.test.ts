import { describe, expect, it } from "vitest";
import type { Trigger } from "../client";
import { formOfCron, formatFireTime, isClockTime, newTrigger, scheduleFormOf, switchKind, withSchedule } from "./schedule";

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

describe("switching the kind of schedule", () => {
  const daily: Trigger = { type: "schedule", daily: "02:00", timezone: "Europe/London" };

  it("turns daily 02:00 into the cron expression 0 2 * * * and back", () => {
    const cron = switchKind(scheduleFormOf(daily), "cron");
    expect(withSchedule(daily, cron)).toEqual({ type: "schedule", cron: "0 2 * * *", timezone: "Europe/London" });
    const back = switchKind(scheduleFormOf(withSchedule(daily, cron)), "daily");
    expect(withSchedule(daily, back)).toEqual(daily);
  });

  it("carries weekly days, a monthly day and every-N steps into cron and back", () => {
    const cases: [Trigger, string][] = [
      [{ type: "schedule", weekly: { days: ["mon", "fri"], time: "07:30" } }, "30 7 * * mon,fri"],
      [{ type: "schedule", monthly: { day: 15, time: "23:05" } }, "5 23 15 * *"],
      [{ type: "schedule", every: { minutes: 15 } }, "*/15 * * * *"],
      [{ type: "schedule", every: { hours: 6 } }, "0 */6 * * *"],
    ];
    for (const [trigger, cron] of cases) {
      const form = scheduleFormOf(trigger);
      const asCron = switchKind(form, "cron");
      expect(asCron.cron).toBe(cron);
      expect(withSchedule(trigger, switchKind(scheduleFormOf({ type: "schedule", cron }), form.kind))).toEqual(trigger);
    }
  });

  it("keeps the time when going from daily to weekly, and from a cron it cannot read keeps the last form", () => {
    expect(switchKind(scheduleFormOf(daily), "weekly")).toMatchObject({ kind: "weekly", time: "02:00" });
    expect(formOfCron("0 2 1 jan *", scheduleFormOf(daily))).toBeNull();
    expect(switchKind(scheduleFormOf({ type: "schedule", cron: "0 2 1 jan *" }), "daily")).toMatchObject({ kind: "daily" });
  });

  it("says which texts are times on the 24-hour clock", () => {
    expect(["00:00", "02:00", "14:30", "23:59"].every(isClockTime)).toBe(true);
    expect(["2:00", "24:00", "02:00 AM", "14:60", ""].some(isClockTime)).toBe(false);
  });
});
