// The On a Schedule form: every N minutes / hours, daily, weekly, monthly or cron, an IANA time zone,
// and the next five fire times.
import { useEffect, useMemo, useState } from "react";
import { Chip, Group, Input, NumberInput, Select, Stack, TextInput } from "@mantine/core";
import type { Trigger } from "../client";
import { NextFireTimes } from "./NextFireTimes";
import {
  SCHEDULE_KINDS,
  WEEK_DAYS,
  browserTimeZone,
  isClockTime,
  scheduleFormOf,
  switchKind,
  withSchedule,
  type ScheduleForm,
  type ScheduleKind,
} from "./schedule";

function timeZones(current: string): string[] {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const all = zones.includes("UTC") ? [...zones] : ["UTC", ...zones];
  return all.includes(current) ? all : [current, ...all];
}

interface Props {
  trigger: Trigger;
  onChange(trigger: Trigger): void;
  readOnly: boolean;
}

export function ScheduleFields({ trigger, onChange, readOnly }: Props) {
  const form = scheduleFormOf(trigger);
  // A schedule without a zone (an imported file) shows the server's choice; picking one writes it.
  const timezone = trigger.timezone ?? null;
  const zones = useMemo(() => timeZones(timezone ?? browserTimeZone()), [timezone]);
  const set = (change: Partial<ScheduleForm>) => onChange(withSchedule(trigger, { ...form, ...change }));

  return (
    <Stack gap="sm">
      <Select
        label="Repeat"
        description="How often the workflow runs. Switching keeps the time you set."
        data={SCHEDULE_KINDS}
        value={form.kind}
        onChange={(kind) => kind && onChange(withSchedule(trigger, switchKind(form, kind as ScheduleKind)))}
        allowDeselect={false}
        disabled={readOnly}
      />
      {(form.kind === "minutes" || form.kind === "hours") && (
        <NumberInput
          label={form.kind === "minutes" ? "Every N minutes" : "Every N hours"}
          description={
            form.kind === "minutes"
              ? "Counted from the top of each hour: 15 runs at :00, :15, :30 and :45."
              : "Counted from midnight: 6 runs at 00:00, 06:00, 12:00 and 18:00."
          }
          value={form.every}
          min={1}
          max={form.kind === "minutes" ? 1440 : 168}
          allowDecimal={false}
          onChange={(every) => typeof every === "number" && every >= 1 && set({ every })}
          disabled={readOnly}
        />
      )}
      {form.kind === "weekly" && (
        <Input.Wrapper label="Days" description="The days of the week it runs on, at the time below.">
          <Chip.Group multiple value={form.days} onChange={(days) => days.length && set({ days: WEEK_DAYS.map((d) => d.value).filter((d) => days.includes(d)) })}>
            <Group gap={4} mt={4}>
              {WEEK_DAYS.map((day) => (
                <Chip key={day.value} value={day.value} size="xs" disabled={readOnly}>
                  {day.label}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </Input.Wrapper>
      )}
      {form.kind === "monthly" && (
        <NumberInput
          label="Day of the month"
          description="Short months fire on their last day."
          value={form.day}
          min={1}
          max={31}
          allowDecimal={false}
          onChange={(day) => typeof day === "number" && day >= 1 && day <= 31 && set({ day })}
          disabled={readOnly}
        />
      )}
      {(form.kind === "daily" || form.kind === "weekly" || form.kind === "monthly") && (
        <ClockTimeInput time={form.time} onChange={(time) => set({ time })} readOnly={readOnly} />
      )}
      {form.kind === "cron" && (
        <TextInput
          label="Cron expression"
          description="minute hour day-of-month month day-of-week, e.g. 0 2 * * *"
          value={form.cron}
          onChange={(event) => set({ cron: event.currentTarget.value })}
          disabled={readOnly}
        />
      )}
      <Select
        label="Time zone"
        description="The times above are wall-clock times in this zone; daylight saving is followed."
        data={zones}
        value={timezone}
        placeholder="Not set"
        onChange={(zone) => zone && onChange({ ...trigger, timezone: zone })}
        searchable
        allowDeselect={false}
        disabled={readOnly}
        limit={200}
      />
      <NextFireTimes trigger={trigger} />
    </Stack>
  );
}

/**
 * The time of day as typed, on the 24-hour clock whatever the browser's locale (a native time input shows
 * "02:00 AM" in an English browser). Saved once it reads HH:MM; until then it says what it needs.
 */
function ClockTimeInput({ time, onChange, readOnly }: { time: string; onChange(time: string): void; readOnly: boolean }) {
  const [text, setText] = useState(time);
  useEffect(() => setText(time), [time]);
  const valid = isClockTime(text);
  return (
    <TextInput
      label="Time"
      description="24-hour clock, HH:MM (e.g. 14:30)."
      placeholder="HH:MM"
      inputMode="numeric"
      maxLength={5}
      value={text}
      error={valid ? null : "Write the time as HH:MM on the 24-hour clock, e.g. 02:00 or 14:30."}
      onChange={(event) => {
        const next = event.currentTarget.value;
        setText(next);
        if (isClockTime(next)) onChange(next);
      }}
      disabled={readOnly}
    />
  );
}
