"""When an "On a Schedule" trigger fires: pure functions over a `Trigger`, no store, no clock.

Every schedule form becomes cron (`crons_of`), evaluated by cronsim in the trigger's IANA time
zone (`timezone`, else the caller's `default_tz`). Times go in and come out as aware UTC
datetimes; a naive datetime is a ValueError.

The forms, as a user reads them:

- `every: {minutes: N}` with N dividing an hour: `*/N * * * *`, every N minutes of real time
  (DST changes neither stretch nor squeeze the gaps). N = 60, 120, … (whole hours dividing a
  day) is `every: {hours: N/60}`. Other N are refused when the document is validated.
- `every: {hours: 1}`: `0 * * * *`, at the top of every real hour — so the fall-back day has
  25 firings and the spring-forward day 23.
- `every: {hours: N}`, N > 1 dividing 24: at those wall-clock hours counted from local midnight
  (`0 0,6,12,18 * * *`), so each behaves like a daily time across DST (below).
- `daily: "HH:MM"`, `weekly: {days, time}`: that wall-clock time on every / the chosen days.
- `monthly: {day: D, time}`: on day D; a month shorter than D fires on its last day (31 → `L`;
  29 and 30 take two expressions, the second firing on the last day of February).
- `cron: "…"`: five-field cron as given (cronsim's syntax: `L`, `LW`, `MON#2`, names).

DST, for a wall-clock time (any form whose minute and hour fields are fixed, cronsim's Debian
cron mode): a time that does not exist on the spring-forward day fires at the first valid time
after the gap (02:30 → 03:00); a time that happens twice on the fall-back day fires once, at its
first occurrence.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Literal
from zoneinfo import ZoneInfo

from cronsim import CronSim

from redflare.domain.workflow import WEEKDAYS, Trigger, TriggerType

CatchUp = Literal["once", "skip"]
DEFAULT_GRACE = timedelta(seconds=60)
"""With catch-up "skip", how late a firing may still run: a scheduler tick's worth of lateness."""

_CRON_DAYS = {"mon": "MON", "tue": "TUE", "wed": "WED", "thu": "THU", "fri": "FRI", "sat": "SAT", "sun": "SUN"}
_NOT_FEBRUARY = "1,3-12"


def crons_of(trigger: Trigger) -> tuple[str, ...]:
    """The schedule as cron expressions whose union is its fire times (one, or two for monthly day 29/30)."""
    _require_schedule(trigger)
    if trigger.cron is not None:
        return (" ".join(trigger.cron.split()),)
    if trigger.every is not None:
        return (_every(minutes=trigger.every.minutes, hours=trigger.every.hours),)
    if trigger.daily is not None:
        minute, hour = _clock(trigger.daily)
        return (f"{minute} {hour} * * *",)
    if trigger.weekly is not None:
        minute, hour = _clock(trigger.weekly.time)
        chosen = set(trigger.weekly.days)
        days = ",".join(_CRON_DAYS[day] for day in WEEKDAYS if day in chosen)
        return (f"{minute} {hour} * * {days}",)
    if trigger.monthly is not None:
        minute, hour = _clock(trigger.monthly.time)
        day = trigger.monthly.day
        if day <= 28:  # every month has it
            return (f"{minute} {hour} {day} * *",)
        if day == 31:  # the last day of each month: the 31st where there is one
            return (f"{minute} {hour} L * *",)
        # 29, 30: that day in every month but February, which fires on its last day instead
        return (f"{minute} {hour} {day} {_NOT_FEBRUARY} *", f"{minute} {hour} L 2 *")
    raise ValueError("a schedule trigger needs one of cron, every, daily, weekly, monthly")


def cron_of(trigger: Trigger) -> str:
    """The schedule as cron, for display: one expression, or for monthly day 29/30 two joined by " | "."""
    return " | ".join(crons_of(trigger))


def zone_of(trigger: Trigger, *, default_tz: str = "UTC") -> ZoneInfo:
    """The IANA zone the schedule's clock times are in: the trigger's own, else `default_tz`."""
    return ZoneInfo(trigger.timezone or default_tz)


def fire_times(trigger: Trigger, *, after: datetime, count: int, default_tz: str = "UTC") -> list[datetime]:
    """The next `count` fire times strictly after `after`, increasing, as aware UTC datetimes.

    Fewer only if the schedule stops firing (cronsim gives up after 50 years without a match).
    """
    if count < 0:
        raise ValueError("count must not be negative")
    return list(islice(_fires_after(trigger, _aware(after, "after"), default_tz), count))


def next_fire(trigger: Trigger, *, after: datetime, default_tz: str = "UTC") -> datetime | None:
    """The first fire time strictly after `after` (aware UTC), or None if there is none."""
    return next(_fires_after(trigger, _aware(after, "after"), default_tz), None)


def due_firings(
    trigger: Trigger,
    *,
    last_fired: datetime | None,
    now: datetime,
    catch_up: CatchUp = "once",
    grace: timedelta = DEFAULT_GRACE,
    default_tz: str = "UTC",
) -> list[datetime]:
    """What a scheduler should fire at `now`, given the last time it fired (a scheduled time).

    Missed times are those in (`last_fired`, `now`]. None missed: nothing. Otherwise only the
    latest of them — never a burst of backlog after a downtime — and with `catch_up="skip"` only
    if it is at most `grace` late. `last_fired=None` means just published: nothing before `now`
    was missed, so nothing is due; the caller should remember `now` as its starting point.
    """
    now = _aware(now, "now")
    if last_fired is None:
        return []
    last_fired = _aware(last_fired, "last_fired")
    latest = _latest_in(trigger, after=last_fired, until=now, default_tz=default_tz)
    if latest is None:
        return []
    if catch_up == "skip" and now - latest > grace:
        return []
    return [latest]


def _latest_in(trigger: Trigger, *, after: datetime, until: datetime, default_tz: str) -> datetime | None:
    """The last fire time in (`after`, `until`], found without walking a long backlog one by one."""
    if until <= after:
        return None
    # Reverse iteration jumps straight to a recent fire time; walking forward from just before it
    # gives the exact answer. Only forward iteration is trusted (cronsim's reverse mode reads the
    # repeated fall-back hour by wall clock), so if the hint finds nothing we walk from `after`.
    hint = _recent_fire(trigger, until=until, default_tz=default_tz)
    starts = [after]
    if hint is not None and after < hint <= until:
        starts.insert(0, hint - timedelta(microseconds=1))
    for start in starts:
        latest = None
        for fire in _fires_after(trigger, start, default_tz):
            if fire > until:
                break
            latest = fire
        if latest is not None:
            return latest
    return None


def _recent_fire(trigger: Trigger, *, until: datetime, default_tz: str) -> datetime | None:
    """A fire time at or shortly before `until` by cronsim's reverse iteration (a hint, see `_latest_in`)."""
    zone = zone_of(trigger, default_tz=default_tz)
    # Reverse iteration yields times strictly before its start; start a second on to include `until`.
    start = (until.replace(microsecond=0) + timedelta(seconds=1)).astimezone(zone)
    found = []
    for expr in crons_of(trigger):
        try:
            local = next(CronSim(expr, start, reverse=True))
        except StopIteration:
            continue
        found.append(local.astimezone(UTC))
    return max((fire for fire in found if fire <= until), default=None)


def _fires_after(trigger: Trigger, after: datetime, default_tz: str) -> Iterator[datetime]:
    """All fire times strictly after `after`, increasing, as aware UTC (the union of the expressions)."""
    zone = zone_of(trigger, default_tz=default_tz)
    merged = heapq.merge(*(_one_cron(expr, zone, after) for expr in crons_of(trigger)))
    last = after
    for fire in merged:
        if fire > last:  # drops a time two expressions share
            last = fire
            yield fire


def _one_cron(expr: str, zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    last = after
    for local in CronSim(expr, after.astimezone(zone)):
        fire = local.astimezone(UTC)
        # In Debian cron mode cronsim walks wall-clock time: from a start inside the repeated
        # fall-back hour it may yield that hour's first pass, which is already behind `after`.
        if fire > last:
            last = fire
            yield fire


def _every(*, minutes: int | None, hours: int | None) -> str:
    if minutes is not None and minutes < 60:
        if 60 % minutes:
            raise ValueError(f"every {minutes} minutes does not divide an hour")
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    if hours is None:
        assert minutes is not None  # Every holds exactly one of them
        hours, rest = divmod(minutes, 60)
        if rest:
            raise ValueError(f"every {minutes} minutes is not a whole number of hours")
    if hours == 1:
        return "0 * * * *"  # every real hour, the repeated one included
    if 24 % hours:
        raise ValueError(f"every {hours} hours does not divide a day")
    # A list of fixed hours, not */N: cronsim then treats them as wall-clock times, so a DST
    # change neither skips nor doubles one (see the module docstring).
    return "0 " + ",".join(str(hour) for hour in range(0, 24, hours)) + " * * *"


def _clock(time: str) -> tuple[int, int]:
    """`"HH:MM"` → (minute, hour), in cron's field order."""
    hour, minute = time.split(":")
    return int(minute), int(hour)


def _require_schedule(trigger: Trigger) -> None:
    if trigger.type is not TriggerType.SCHEDULE:
        raise ValueError(f"a {trigger.type.value} trigger has no schedule")


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(UTC)
