// An On a Schedule trigger (appendix A) as the panel's form, and back. Pure, so it is tested on its own.
// The trigger holds exactly one of cron / every / daily / weekly / monthly; the form keeps a value for each
// so that switching the kind of schedule carries the time of day (and the rest) over.
import type { Trigger } from "../client";

export type ScheduleKind = "minutes" | "hours" | "daily" | "weekly" | "monthly" | "cron";

export const SCHEDULE_KINDS: { value: ScheduleKind; label: string }[] = [
  { value: "minutes", label: "Every N minutes" },
  { value: "hours", label: "Every N hours" },
  { value: "daily", label: "Daily" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
  { value: "cron", label: "Cron expression" },
];

export const WEEK_DAYS: { value: string; label: string }[] = [
  { value: "mon", label: "Mon" },
  { value: "tue", label: "Tue" },
  { value: "wed", label: "Wed" },
  { value: "thu", label: "Thu" },
  { value: "fri", label: "Fri" },
  { value: "sat", label: "Sat" },
  { value: "sun", label: "Sun" },
];

export interface ScheduleForm {
  kind: ScheduleKind;
  /** N of "every N minutes / hours". */
  every: number;
  /** HH:MM, 24-hour clock (daily, weekly, monthly). */
  time: string;
  /** mon … sun (weekly). */
  days: string[];
  /** Day of the month, 1–31 (monthly). */
  day: number;
  cron: string;
}

const DEFAULT_TIME = "09:00";

interface WeeklyValue {
  days?: unknown;
  time?: unknown;
}
interface MonthlyValue {
  day?: unknown;
  time?: unknown;
}

function asTime(value: unknown): string | null {
  return typeof value === "string" && value ? value : null;
}

/** The browser's IANA time zone: the default of a new schedule. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The form showing `trigger` (a schedule trigger; any missing part gets a sensible default). */
export function scheduleFormOf(trigger: Trigger): ScheduleForm {
  const weekly = (trigger.weekly ?? null) as WeeklyValue | null;
  const monthly = (trigger.monthly ?? null) as MonthlyValue | null;
  const time = asTime(trigger.daily) ?? asTime(weekly?.time) ?? asTime(monthly?.time) ?? DEFAULT_TIME;
  const form: ScheduleForm = {
    kind: "daily",
    every: trigger.every?.minutes ?? trigger.every?.hours ?? 1,
    time,
    days: Array.isArray(weekly?.days) ? weekly.days.filter((day): day is string => typeof day === "string") : ["mon"],
    day: typeof monthly?.day === "number" ? monthly.day : 1,
    cron: typeof trigger.cron === "string" ? trigger.cron : "0 9 * * *",
  };
  if (typeof trigger.cron === "string") form.kind = "cron";
  else if (trigger.every?.minutes != null) form.kind = "minutes";
  else if (trigger.every?.hours != null) form.kind = "hours";
  else if (weekly) form.kind = "weekly";
  else if (monthly) form.kind = "monthly";
  return form;
}

/** `trigger` with its schedule replaced by the form's (type, time zone and any other key are kept). */
export function withSchedule(trigger: Trigger, form: ScheduleForm): Trigger {
  const { cron: _cron, every: _every, daily: _daily, weekly: _weekly, monthly: _monthly, ...rest } = trigger;
  switch (form.kind) {
    case "minutes":
      return { ...rest, every: { minutes: form.every } };
    case "hours":
      return { ...rest, every: { hours: form.every } };
    case "daily":
      return { ...rest, daily: form.time };
    case "weekly":
      return { ...rest, weekly: { days: form.days, time: form.time } };
    case "monthly":
      return { ...rest, monthly: { day: form.day, time: form.time } };
    case "cron":
      return { ...rest, cron: form.cron };
  }
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const NUMBER = /^\d+$/;
const DAY_NAMES = WEEK_DAYS.map((day) => day.value);

/** Whether `text` is a time of day as the server takes it: HH:MM on the 24-hour clock. */
export function isClockTime(text: string): boolean {
  return TIME.test(text);
}

/** The cron expression that fires as the form does (so switching to Cron keeps the schedule). */
export function cronOf(form: ScheduleForm): string {
  const [hour, minute] = (TIME.exec(form.time)?.slice(1) ?? ["9", "0"]).map(Number);
  switch (form.kind) {
    case "minutes":
      return form.every >= 60 && form.every % 60 === 0 ? `0 */${form.every / 60} * * *` : `*/${form.every} * * * *`;
    case "hours":
      return form.every >= 24 ? "0 0 * * *" : `0 */${form.every} * * *`;
    case "daily":
      return `${minute} ${hour} * * *`;
    case "weekly":
      return `${minute} ${hour} * * ${form.days.join(",")}`;
    case "monthly":
      return `${minute} ${hour} ${form.day} * *`;
    case "cron":
      return form.cron;
  }
}

const pad = (value: number): string => String(value).padStart(2, "0");

/**
 * The simpler form a cron expression amounts to, if any: "0 2 * * *" is daily at 02:00, "30 7 * * mon,fri"
 * weekly, "0 6 15 * *" monthly, and
 * every N minutes or hours (a step of the minute or hour field).
 */
export function formOfCron(cron: string, base: ScheduleForm): ScheduleForm | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return null;
  const [minute, hour, day, month, weekday] = fields;
  if (month !== "*") return null;
  const everyMinutes = /^\*\/(\d+)$/.exec(minute);
  if (everyMinutes && hour === "*" && day === "*" && weekday === "*") return { ...base, kind: "minutes", every: Number(everyMinutes[1]) };
  const everyHours = /^\*\/(\d+)$/.exec(hour);
  if (minute === "0" && everyHours && day === "*" && weekday === "*") return { ...base, kind: "hours", every: Number(everyHours[1]) };
  if (!NUMBER.test(minute) || !NUMBER.test(hour) || Number(minute) > 59 || Number(hour) > 23) return null;
  const time = `${pad(Number(hour))}:${pad(Number(minute))}`;
  if (day === "*" && weekday === "*") return { ...base, kind: "daily", time };
  const days = weekday.split(",");
  if (day === "*" && days.every((name) => DAY_NAMES.includes(name))) {
    return { ...base, kind: "weekly", time, days: DAY_NAMES.filter((name) => days.includes(name)) };
  }
  if (weekday === "*" && NUMBER.test(day) && Number(day) >= 1 && Number(day) <= 31) return { ...base, kind: "monthly", time, day: Number(day) };
  return null;
}

/**
 * The form after the user picks another kind of schedule: what was set carries over (daily 02:00 becomes the cron
 * expression "0 2 * * *" and back), rather than each kind starting from its default.
 */
export function switchKind(form: ScheduleForm, kind: ScheduleKind): ScheduleForm {
  if (kind === form.kind) return form;
  if (kind === "cron") return { ...form, kind, cron: cronOf(form) };
  const fromCron = form.kind === "cron" ? formOfCron(form.cron, form) : null;
  const base = fromCron ?? form;
  return { ...base, kind };
}

/** A new trigger of `type` as the picker makes it: a schedule starts daily at 09:00 in the browser's zone. */
export function newTrigger(type: string, timezone: string = browserTimeZone()): Trigger {
  if (type === "schedule") return { type: "schedule", daily: DEFAULT_TIME, timezone };
  return { type: type as Trigger["type"] };
}

export function isSyncTrigger(type: string): boolean {
  return type.startsWith("sync_");
}

/** A fire time (UTC) as a reader in the trigger's zone sees it. */
export function formatFireTime(utc: string, timezone: string): string {
  try {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: timezone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZoneName: "short",
    }).format(new Date(utc));
  } catch {
    return utc; // an unknown zone: the server's answer as is
  }
}
