"""When an "On a Schedule" trigger fires: every form, time zones, both DST changes, catch-up."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redflare.domain.errors import InvalidWorkflow
from redflare.domain.loading import document_from_data
from redflare.domain.workflow import Trigger, TriggerType
from redflare.triggers.schedule import cron_of, crons_of, due_firings, fire_times, next_fire

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")


def schedule(**form: Any) -> Trigger:
    return Trigger(type=TriggerType.SCHEDULE, **form)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def local(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    """A wall-clock time in `zone` as aware UTC."""
    return datetime(*parts, tzinfo=zone, fold=fold).astimezone(UTC)  # type: ignore[misc]


def wall(fires: list[datetime], zone: ZoneInfo) -> list[str]:
    """Fire times as the user's clock shows them, with the UTC offset."""
    return [fire.astimezone(zone).strftime("%Y-%m-%d %a %H:%M%z") for fire in fires]


class TestCronOf:
    @pytest.mark.parametrize(
        ("form", "cron"),
        [
            ({"every": {"minutes": 1}}, "* * * * *"),
            ({"every": {"minutes": 15}}, "*/15 * * * *"),
            ({"every": {"minutes": 60}}, "0 * * * *"),
            ({"every": {"minutes": 360}}, "0 0,6,12,18 * * *"),
            ({"every": {"hours": 1}}, "0 * * * *"),
            ({"every": {"hours": 8}}, "0 0,8,16 * * *"),
            ({"every": {"hours": 24}}, "0 0 * * *"),
            ({"daily": "02:30"}, "30 2 * * *"),
            ({"weekly": {"days": ["fri", "mon", "mon"], "time": "09:05"}}, "5 9 * * MON,FRI"),
            ({"monthly": {"day": 15, "time": "06:00"}}, "0 6 15 * *"),
            ({"monthly": {"day": 31, "time": "06:00"}}, "0 6 L * *"),
            ({"monthly": {"day": 30, "time": "06:00"}}, "0 6 30 1,3-12 * | 0 6 L 2 *"),
            ({"cron": "  0 2   * * 1-5 "}, "0 2 * * 1-5"),
        ],
    )
    def test_every_form_as_cron(self, form: dict[str, Any], cron: str) -> None:
        """Each form reads as the cron a user would write for it."""
        assert cron == cron_of(schedule(**form))

    def test_not_a_schedule(self) -> None:
        """A sync trigger has no fire times."""
        with pytest.raises(ValueError, match="no schedule"):
            crons_of(Trigger(type=TriggerType.SYNC_COMPLETED))


class TestValidation:
    @pytest.mark.parametrize(
        ("trigger", "path", "message"),
        [
            ({"cron": "0 25 * * *"}, "trigger.cron", "Bad hour"),
            ({"cron": "0 2 30 2 *"}, "trigger.cron", "Bad day-of-month"),
            ({"cron": "every day"}, "trigger.cron", "five fields"),
            ({"cron": "0 0 2 * * *"}, "trigger.cron", "five fields"),
            ({"daily": "02:00", "timezone": "Europe/Lndon"}, "trigger.timezone", "not an IANA time zone"),
            ({"daily": "02:00", "timezone": "localtime"}, "trigger.timezone", "not an IANA time zone"),
            ({"daily": "02:00", "timezone": "../etc/passwd"}, "trigger.timezone", "not an IANA time zone"),
            ({"every": {"minutes": 90}}, "trigger.every", "every 90 minutes does not repeat evenly"),
            ({"every": {"hours": 5}}, "trigger.every", "every 5 hours does not repeat evenly"),
            ({}, "trigger", "exactly one of cron, every, daily, weekly, monthly"),
            ({"cron": "0 2 * * *", "daily": "02:00"}, "trigger", "got cron, daily"),
        ],
    )
    def test_bad_schedule_names_its_field(self, trigger: dict[str, Any], path: str, message: str) -> None:
        """A schedule that cannot fire as written is refused, pointing at the field to fix."""
        with pytest.raises(InvalidWorkflow) as caught:
            document_from_data({"name": "x", "trigger": {"type": "schedule", **trigger}})
        [issue] = caught.value.issues
        assert path == issue.path
        assert message in issue.message

    @pytest.mark.parametrize(
        "trigger",
        [
            {"cron": "0 9 * * MON#2", "timezone": "America/New_York"},
            {"cron": "30 17 LW * *", "timezone": "UTC"},
            {"every": {"minutes": 1440}},
            {"monthly": {"day": 31, "time": "23:59"}, "timezone": "Australia/Lord_Howe"},
        ],
    )
    def test_good_schedules_load(self, trigger: dict[str, Any]) -> None:
        """Valid schedules of the appendix-A format still load unchanged."""
        document = document_from_data({"name": "x", "trigger": {"type": "schedule", **trigger}})
        assert document.trigger is not None
        assert document.trigger.model_dump(exclude_none=True) == {"type": "schedule", **trigger}


class TestFireTimes:
    def test_next_five(self) -> None:
        """The panel's five next fire times of a weekday 08:15 in London, across a weekend."""
        trigger = schedule(weekly={"days": ["mon", "wed", "fri"], "time": "08:15"}, timezone="Europe/London")
        fires = fire_times(trigger, after=local(LONDON, 2025, 6, 4, 8, 15), count=5)
        assert wall(fires, LONDON) == [
            "2025-06-06 Fri 08:15+0100",
            "2025-06-09 Mon 08:15+0100",
            "2025-06-11 Wed 08:15+0100",
            "2025-06-13 Fri 08:15+0100",
            "2025-06-16 Mon 08:15+0100",
        ]
        assert all(fire.tzinfo is UTC for fire in fires)

    def test_strictly_after(self) -> None:
        """A time exactly at a firing does not return it again; a microsecond before does."""
        trigger = schedule(daily="09:00")
        at = utc(2025, 6, 1, 9, 0)
        assert utc(2025, 6, 2, 9, 0) == next_fire(trigger, after=at)
        assert at == next_fire(trigger, after=at - timedelta(microseconds=1))

    def test_every_minutes(self) -> None:
        """Every 20 minutes: on the hour and at :20 and :40."""
        fires = fire_times(schedule(every={"minutes": 20}), after=utc(2025, 6, 1, 10, 5), count=4)
        assert [utc(2025, 6, 1, 10, 20), utc(2025, 6, 1, 10, 40), utc(2025, 6, 1, 11), utc(2025, 6, 1, 11, 20)] == fires

    def test_every_hours_aligned_to_local_midnight(self) -> None:
        """Every 6 hours in New York: 00, 06, 12, 18 by the New York clock, whatever UTC says."""
        trigger = schedule(every={"hours": 6}, timezone="America/New_York")
        fires = fire_times(trigger, after=utc(2025, 6, 1, 12), count=4)
        assert [f.astimezone(NEW_YORK).strftime("%H:%M") for f in fires] == ["12:00", "18:00", "00:00", "06:00"]

    def test_raw_cron(self) -> None:
        """A cron expression runs as given: the second Monday of each month at 09:00."""
        trigger = schedule(cron="0 9 * * MON#2", timezone="UTC")
        fires = fire_times(trigger, after=utc(2025, 1, 1), count=3)
        assert [utc(2025, 1, 13, 9), utc(2025, 2, 10, 9), utc(2025, 3, 10, 9)] == fires

    def test_daily_time_in_each_zone(self) -> None:
        """A daily 09:00 is 09:00 on the user's clock: 08:00 UTC in London summer, 13:00 in New York."""
        after = utc(2025, 7, 1)
        london = fire_times(schedule(daily="09:00", timezone="Europe/London"), after=after, count=2)
        new_york = fire_times(schedule(daily="09:00", timezone="America/New_York"), after=after, count=2)
        assert [utc(2025, 7, 1, 8), utc(2025, 7, 2, 8)] == london
        assert [utc(2025, 7, 1, 13), utc(2025, 7, 2, 13)] == new_york
        winter = fire_times(schedule(daily="09:00", timezone="Europe/London"), after=utc(2025, 12, 1), count=1)
        assert [utc(2025, 12, 1, 9)] == winter

    def test_default_zone(self) -> None:
        """A trigger without a zone uses the caller's default (the creator's), else UTC."""
        trigger = schedule(daily="09:00")
        assert utc(2025, 7, 1, 9) == next_fire(trigger, after=utc(2025, 7, 1))
        assert utc(2025, 7, 1, 7) == next_fire(trigger, after=utc(2025, 7, 1), default_tz="Europe/Berlin")
        zoned = schedule(daily="09:00", timezone="America/New_York")
        assert utc(2025, 7, 1, 13) == next_fire(zoned, after=utc(2025, 7, 1), default_tz="Europe/Berlin")

    def test_naive_times_are_refused(self) -> None:
        """Times without a zone are ambiguous, so they are an error rather than a guess."""
        with pytest.raises(ValueError, match="aware"):
            fire_times(schedule(daily="09:00"), after=datetime(2025, 7, 1), count=1)


class TestDaylightSaving:
    @pytest.mark.parametrize(("zone", "day"), [(BERLIN, 30), (NEW_YORK, 9)])
    def test_spring_forward_runs_once_at_first_valid_time(self, zone: ZoneInfo, day: int) -> None:
        """02:30 does not exist on the spring-forward day: the job runs once, at 03:00."""
        trigger = schedule(daily="02:30", timezone=zone.key)
        fires = fire_times(trigger, after=local(zone, 2025, 3, day - 1, 12), count=3)
        on_the_day = [f for f in fires if f.astimezone(zone).date() == date(2025, 3, day)]
        assert [local(zone, 2025, 3, day, 3, 0)] == on_the_day
        assert [f.astimezone(zone).strftime("%H:%M") for f in fires] == ["03:00", "02:30", "02:30"]

    @pytest.mark.parametrize(("zone", "time", "day"), [(BERLIN, "02:30", 26), (NEW_YORK, "01:30", 2)])
    def test_fall_back_runs_once(self, zone: ZoneInfo, time: str, day: int) -> None:
        """The hour that happens twice on the fall-back day runs the job once, at its first pass."""
        trigger = schedule(daily=time, timezone=zone.key)
        month = 10 if zone is BERLIN else 11
        hour, minute = map(int, time.split(":"))
        fires = fire_times(trigger, after=local(zone, 2025, month, day - 1, 12), count=3)
        assert local(zone, 2025, month, day, hour, minute, fold=0) == fires[0]
        assert len({f.astimezone(zone).date() for f in fires}) == 3  # one run a day, the fall-back day too
        # Asked from inside the repeated hour (its second pass), the day's run is already behind.
        second_pass = local(zone, 2025, month, day, hour, 0, fold=1)
        assert local(zone, 2025, month, day + 1, hour, minute) == next_fire(trigger, after=second_pass)

    def test_hourly_across_fall_back(self) -> None:
        """Every hour means every real hour: the fall-back day has 25 runs, the repeated hour twice."""
        trigger = schedule(every={"hours": 1}, timezone="America/New_York")
        start = local(NEW_YORK, 2025, 11, 2, 0, 0) - timedelta(seconds=1)
        fires = fire_times(trigger, after=start, count=26)
        day = [f for f in fires if f.astimezone(NEW_YORK).date() == date(2025, 11, 2)]
        assert len(day) == 25
        assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(fires))
        assert [f.astimezone(NEW_YORK).strftime("%H:%M") for f in day[:4]] == ["00:00", "01:00", "01:00", "02:00"]

    def test_hourly_across_spring_forward(self) -> None:
        """The spring-forward day has 23 hours, so 23 hourly runs, still an hour apart."""
        trigger = schedule(every={"hours": 1}, timezone="Europe/Berlin")
        fires = fire_times(trigger, after=local(BERLIN, 2025, 3, 30, 0, 0) - timedelta(seconds=1), count=30)
        day = [f for f in fires if f.astimezone(BERLIN).date() == date(2025, 3, 30)]
        assert len(day) == 23
        assert all(b - a == timedelta(hours=1) for a, b in itertools.pairwise(fires))

    def test_every_two_hours_neither_skips_nor_doubles(self) -> None:
        """Every 2 hours in Berlin: 02:00 is missing in spring (runs 03:00) and doubled in autumn (runs once)."""
        trigger = schedule(every={"hours": 2}, timezone="Europe/Berlin")
        spring = fire_times(trigger, after=local(BERLIN, 2025, 3, 29, 23), count=3)
        assert [f.astimezone(BERLIN).strftime("%H:%M") for f in spring] == ["00:00", "03:00", "04:00"]
        autumn = fire_times(trigger, after=local(BERLIN, 2025, 10, 25, 23), count=3)
        assert wall(autumn, BERLIN) == [
            "2025-10-26 Sun 00:00+0200",
            "2025-10-26 Sun 02:00+0200",
            "2025-10-26 Sun 04:00+0100",
        ]


class TestMonthly:
    def test_day_31_fires_every_month_on_its_last_day(self) -> None:
        """Monthly on the 31st: twelve runs a year, one a month, on the last day of short months."""
        trigger = schedule(monthly={"day": 31, "time": "18:00"}, timezone="Europe/Berlin")
        fires = fire_times(trigger, after=utc(2024, 1, 1), count=12)
        days = [f.astimezone(BERLIN).date() for f in fires]
        assert [
            date(2024, 1, 31),
            date(2024, 2, 29),
            date(2024, 3, 31),
            date(2024, 4, 30),
            date(2024, 5, 31),
            date(2024, 6, 30),
            date(2024, 7, 31),
            date(2024, 8, 31),
            date(2024, 9, 30),
            date(2024, 10, 31),
            date(2024, 11, 30),
            date(2024, 12, 31),
        ] == days
        assert {"18:00"} == {f.astimezone(BERLIN).strftime("%H:%M") for f in fires}

    @pytest.mark.parametrize(("day", "february"), [(29, date(2025, 2, 28)), (30, date(2025, 2, 28))])
    def test_day_29_and_30_in_february(self, day: int, february: date) -> None:
        """Day 29 or 30 runs on that day, except February, which runs once on its last day."""
        trigger = schedule(monthly={"day": day, "time": "07:00"})
        fires = fire_times(trigger, after=utc(2025, 1, 1), count=4)
        assert [date(2025, 1, day), february, date(2025, 3, day), date(2025, 4, day)] == [f.date() for f in fires]

    def test_day_29_in_a_leap_february(self) -> None:
        """In a leap year February has a 29th: one run on it, not two."""
        fires = fire_times(schedule(monthly={"day": 29, "time": "07:00"}), after=utc(2024, 2, 1), count=2)
        assert [utc(2024, 2, 29, 7), utc(2024, 3, 29, 7)] == fires


class TestDueFirings:
    DAILY = schedule(daily="09:00", timezone="Europe/London")

    def test_nothing_due_before_the_next_time(self) -> None:
        """Between two firings, nothing is due."""
        last = local(LONDON, 2025, 6, 2, 9)
        assert due_firings(self.DAILY, last_fired=last, now=local(LONDON, 2025, 6, 3, 8, 59), catch_up="once") == []

    def test_on_time(self) -> None:
        """At the fire time (or a tick after) the firing is due, with either policy."""
        last = local(LONDON, 2025, 6, 2, 9)
        now = local(LONDON, 2025, 6, 3, 9, 0, 20)
        for policy in ("once", "skip"):
            assert [local(LONDON, 2025, 6, 3, 9)] == due_firings(self.DAILY, last_fired=last, now=now, catch_up=policy)

    def test_just_published(self) -> None:
        """A workflow published just now has missed nothing, even right at a fire time."""
        assert due_firings(self.DAILY, last_fired=None, now=local(LONDON, 2025, 6, 3, 9), catch_up="once") == []

    def test_catch_up_once_after_days_down(self) -> None:
        """Down from Monday to Thursday afternoon: one run on start, for Thursday 09:00, not four."""
        last = local(LONDON, 2025, 6, 2, 9)
        now = local(LONDON, 2025, 6, 5, 14, 30)
        assert [local(LONDON, 2025, 6, 5, 9)] == due_firings(self.DAILY, last_fired=last, now=now, catch_up="once")

    def test_catch_up_skip_after_days_down(self) -> None:
        """With "skip", missed runs are dropped; only a firing at most a minute late still runs."""
        last = local(LONDON, 2025, 6, 2, 9)
        assert due_firings(self.DAILY, last_fired=last, now=local(LONDON, 2025, 6, 5, 14, 30), catch_up="skip") == []
        late = local(LONDON, 2025, 6, 5, 9, 1, 1)
        assert due_firings(self.DAILY, last_fired=last, now=late, catch_up="skip") == []
        in_grace = local(LONDON, 2025, 6, 5, 9, 0, 59)
        expected = [local(LONDON, 2025, 6, 5, 9)]
        assert expected == due_firings(self.DAILY, last_fired=last, now=in_grace, catch_up="skip")
        wide = timedelta(hours=6)
        assert expected == due_firings(self.DAILY, last_fired=last, now=late, catch_up="skip", grace=wide)

    def test_frequent_schedule_after_a_long_downtime(self) -> None:
        """Every minute, down for a month: exactly one firing, the latest minute."""
        trigger = schedule(every={"minutes": 1}, timezone="Europe/Berlin")
        now = utc(2025, 7, 1, 12, 34, 56, 789)
        assert [utc(2025, 7, 1, 12, 34)] == due_firings(trigger, last_fired=utc(2025, 6, 1), now=now, catch_up="once")

    def test_inside_the_repeated_hour(self) -> None:
        """Down over the fall-back night, back during the repeated hour's second pass: the 01:30 run is due."""
        trigger = schedule(daily="01:30", timezone="America/New_York")
        last = local(NEW_YORK, 2025, 11, 1, 1, 30)
        now = local(NEW_YORK, 2025, 11, 2, 1, 10, fold=1)
        expected = [local(NEW_YORK, 2025, 11, 2, 1, 30, fold=0)]
        assert expected == due_firings(trigger, last_fired=last, now=now, catch_up="once")
        assert due_firings(trigger, last_fired=expected[0], now=now, catch_up="once") == []


# ---- properties ---------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago", "Asia/Kolkata"]
CLOCK = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
FORMS = st.one_of(
    st.builds(lambda m: {"every": {"minutes": m}}, st.sampled_from([1, 5, 15, 30, 60, 120, 720])),
    st.builds(lambda h: {"every": {"hours": h}}, st.sampled_from([1, 2, 3, 4, 6, 8, 12, 24])),
    st.builds(lambda t: {"daily": t}, CLOCK),
    st.builds(
        lambda days, t: {"weekly": {"days": days, "time": t}},
        st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, max_size=3),
        CLOCK,
    ),
    st.builds(lambda d, t: {"monthly": {"day": d, "time": t}}, st.integers(1, 31), CLOCK),
    st.sampled_from([{"cron": "15,45 */3 * * *"}, {"cron": "0 9 * * MON-FRI"}, {"cron": "30 2 L * *"}]),
)
TRIGGERS = st.builds(lambda form, zone: schedule(**form, timezone=zone), FORMS, st.sampled_from(ZONES))


def _transitions(zone: ZoneInfo, year: int) -> list[datetime]:
    """The UTC instants in `year` at which `zone`'s offset changes (to half-hour precision)."""
    found = []
    moment = utc(year, 1, 1)
    offset = moment.astimezone(zone).utcoffset()
    while moment.year == year:
        moment += timedelta(minutes=30)
        now_offset = moment.astimezone(zone).utcoffset()
        if now_offset != offset:
            found.append(moment)
            offset = now_offset
    return found


DST_CHANGES = [t for name in ZONES[1:5] for t in _transitions(ZoneInfo(name), 2025)]
# Half the instants fall within two days of a DST change somewhere, where the edge cases are.
INSTANTS = st.one_of(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
    st.builds(
        lambda change, seconds: change + timedelta(seconds=seconds),
        st.sampled_from(DST_CHANGES),
        st.integers(-2 * 86400, 2 * 86400),
    ),
)


class TestProperties:
    @settings(deadline=None)
    @given(trigger=TRIGGERS, after=INSTANTS, count=st.integers(2, 12))
    def test_fire_times_increase_after_the_start(self, trigger: Trigger, after: datetime, count: int) -> None:
        """Fire times are strictly increasing, all after the start; the list continues from any of its times."""
        fires = fire_times(trigger, after=after, count=count)
        assert count == len(fires)
        assert after < fires[0]
        assert all(a < b for a, b in itertools.pairwise(fires))
        assert fires[1:] == fire_times(trigger, after=fires[0], count=count - 1)

    @settings(deadline=None)
    @given(time=CLOCK, zone=st.sampled_from(ZONES), after=INSTANTS)
    def test_daily_runs_once_every_local_day(self, time: str, zone: str, after: datetime) -> None:
        """A daily schedule runs on each local date exactly once: DST neither skips nor doubles a day."""
        fires = fire_times(schedule(daily=time, timezone=zone), after=after, count=8)
        days = [f.astimezone(ZoneInfo(zone)).date() for f in fires]
        assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(days))

    @settings(deadline=None)
    @given(trigger=TRIGGERS, last=INSTANTS, down=st.integers(0, 3 * 3600), policy=st.sampled_from(["once", "skip"]))
    def test_due_is_the_latest_missed(self, trigger: Trigger, last: datetime, down: int, policy: str) -> None:
        """What is due is exactly the latest fire time in (last fired, now], if any (and recent, for skip)."""
        now = last + timedelta(seconds=down)
        missed = [f for f in fire_times(trigger, after=last, count=200) if f <= now]
        due = due_firings(trigger, last_fired=last, now=now, catch_up=policy)  # type: ignore[arg-type]
        if not missed or (policy == "skip" and now - missed[-1] > timedelta(seconds=60)):
            assert due == []
        else:
            assert [missed[-1]] == due
