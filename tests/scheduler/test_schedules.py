"""Schedules through the scheduler's pass: every form fires at its times, one run each, across DST changes,
downtime (catch-up once or skip) and pause/resume. The clock is stepped by hand; `tick` is called directly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from redflare.adapters.db.orm import WorkflowVersion
from redflare.scheduler.loop import Scheduler
from redflare.services import lifecycle
from tests.scheduler.conftest import World, document, schedule


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def tick_through(world: World, scheduler: Scheduler, *, until: datetime, step: timedelta) -> list[str]:
    """Step the clock to `until`, ticking at every step; answers the run ids started, in order."""
    started = []
    while world.clock.now() < until:
        world.at(min(world.clock.now() + step, until))
        started += scheduler.tick()
    return started


def fired_at(world: World, workflow_id: str) -> list[datetime]:
    """The schedule times the workflow's runs were made for."""
    return [datetime.fromisoformat(run.trigger_payload["scheduled_for"]) for run in world.runs(workflow_id)]


FORMS: list[tuple[str, dict[str, Any], datetime, datetime, timedelta, list[datetime]]] = [
    # id, trigger, published at, run until, tick step, expected fire times
    (
        "every 15 minutes",
        schedule(every={"minutes": 15}),
        utc(2026, 3, 2, 9, 5),
        utc(2026, 3, 2, 10, 20),
        timedelta(minutes=5),
        [
            utc(2026, 3, 2, 9, 15),
            utc(2026, 3, 2, 9, 30),
            utc(2026, 3, 2, 9, 45),
            utc(2026, 3, 2, 10, 0),
            utc(2026, 3, 2, 10, 15),
        ],
    ),
    (
        "hourly",
        schedule(every={"hours": 1}, timezone="Asia/Kolkata"),  # +05:30: the top of each local hour is :30 UTC
        utc(2026, 3, 2, 9, 0),
        utc(2026, 3, 2, 12, 45),
        timedelta(minutes=15),
        [utc(2026, 3, 2, 9, 30), utc(2026, 3, 2, 10, 30), utc(2026, 3, 2, 11, 30), utc(2026, 3, 2, 12, 30)],
    ),
    (
        "daily in a time zone",
        schedule(daily="08:00", timezone="Europe/Berlin"),  # CET, +01:00 in early March
        utc(2026, 3, 2, 9, 0),
        utc(2026, 3, 5, 9, 0),
        timedelta(hours=1),
        [utc(2026, 3, 3, 7, 0), utc(2026, 3, 4, 7, 0), utc(2026, 3, 5, 7, 0)],
    ),
    (
        "weekly",
        schedule(weekly={"days": ["mon", "thu"], "time": "06:30"}, timezone="Asia/Tokyo"),  # +09:00
        utc(2026, 3, 2, 9, 0),  # Monday 18:00 in Tokyo: Monday's 06:30 has passed
        utc(2026, 3, 13, 0, 0),
        timedelta(hours=2),
        [utc(2026, 3, 4, 21, 30), utc(2026, 3, 8, 21, 30), utc(2026, 3, 11, 21, 30)],  # Thu 5, Mon 9, Thu 12
    ),
    (
        "monthly on the 31st",
        schedule(monthly={"day": 31, "time": "06:00"}),  # a shorter month fires on its last day
        utc(2026, 3, 2, 9, 0),
        utc(2026, 7, 1, 9, 0),
        timedelta(hours=12),
        [utc(2026, 3, 31, 6, 0), utc(2026, 4, 30, 6, 0), utc(2026, 5, 31, 6, 0), utc(2026, 6, 30, 6, 0)],
    ),
    (
        "cron",
        schedule(cron="0 */6 * * 1-5", timezone="UTC"),  # every six hours on weekdays
        utc(2026, 3, 6, 9, 0),  # Friday
        utc(2026, 3, 9, 7, 0),  # Monday
        timedelta(hours=1),
        [utc(2026, 3, 6, 12, 0), utc(2026, 3, 6, 18, 0), utc(2026, 3, 9, 0, 0), utc(2026, 3, 9, 6, 0)],
    ),
]


class TestForms:
    @pytest.mark.parametrize(
        ("trigger", "published", "until", "step", "expected"), [f[1:] for f in FORMS], ids=[f[0] for f in FORMS]
    )
    def test_fires_once_at_each_time(
        self,
        world: World,
        trigger: dict[str, Any],
        published: datetime,
        until: datetime,
        step: timedelta,
        expected: list[datetime],
    ) -> None:
        """Each schedule time makes exactly one run of the active version, handed over with the creator's rules."""
        world.at(published)
        workflow_id = world.publish(document(trigger), overlap_policy="parallel")
        started = tick_through(world, world.scheduler(), until=until, step=step)
        assert fired_at(world, workflow_id) == expected
        runs = world.runs(workflow_id)
        assert started == [run.id for run in runs]
        assert world.submitted == [run.id for run in runs]
        for run, moment in zip(runs, expected, strict=True):
            assert (run.version, run.trigger_type) == (1, "schedule")
            assert run.idempotency_key == f"{workflow_id}:schedule:{moment.isoformat()}"
        assert [f.outcome for f in world.firings(workflow_id)] == ["started"] * len(expected)


class TestDaylightSaving:
    @pytest.mark.parametrize(
        ("start", "expected"),
        [
            (  # spring forward on Sunday 8 March 2026: 02:30 does not exist, it runs at 03:00 EDT
                utc(2026, 3, 6, 0, 0),
                [
                    utc(2026, 3, 6, 7, 30),
                    utc(2026, 3, 7, 7, 30),
                    utc(2026, 3, 8, 7, 0),
                    utc(2026, 3, 9, 6, 30),
                    utc(2026, 3, 10, 6, 30),
                ],
            ),
            (  # fall back on Sunday 1 November 2026: 02:30 happens once, in EST
                utc(2026, 10, 30, 0, 0),
                [
                    utc(2026, 10, 30, 6, 30),
                    utc(2026, 10, 31, 6, 30),
                    utc(2026, 11, 1, 7, 30),
                    utc(2026, 11, 2, 7, 30),
                    utc(2026, 11, 3, 7, 30),
                ],
            ),
        ],
        ids=["spring forward", "fall back"],
    )
    def test_a_daily_0230_in_new_york_runs_once_each_day(
        self, world: World, start: datetime, expected: list[datetime]
    ) -> None:
        """Across a DST change a daily 02:30 America/New_York neither skips nor doubles a day."""
        world.at(start)
        workflow_id = world.publish(
            document(schedule(daily="02:30", timezone="America/New_York")), overlap_policy="parallel"
        )
        tick_through(world, world.scheduler(), until=start + timedelta(days=5), step=timedelta(minutes=30))
        assert fired_at(world, workflow_id) == expected


class TestCatchUp:
    HOURLY = document(schedule(every={"hours": 1}))

    @pytest.mark.parametrize(("catch_up", "after_downtime"), [("once", 1), ("skip", 0)])
    def test_after_three_days_down(self, world: World, catch_up: str, after_downtime: int) -> None:
        """Down for three days: "once" runs the latest missed time once on start (never the backlog), "skip" none;
        then the schedule carries on."""
        workflow_id = world.publish(self.HOURLY, overlap_policy="parallel")
        world.at(world.clock.now() + timedelta(hours=1))
        assert len(world.scheduler(catch_up=catch_up).tick()) == 1
        world.at(world.clock.now() + timedelta(days=3, minutes=20))  # the server was down
        restarted = world.scheduler(catch_up=catch_up)
        assert len(restarted.tick()) == after_downtime
        assert restarted.tick() == []  # and a second pass adds nothing
        if after_downtime:
            assert fired_at(world, workflow_id)[-1] == world.clock.now().replace(minute=0)
        world.at(world.clock.now() + timedelta(minutes=40))
        assert len(restarted.tick()) == 1
        assert len(world.runs(workflow_id)) == 2 + after_downtime


class TestPauseResume:
    def test_paused_fires_nothing_and_resume_does_not_replay_the_pause(self, world: World) -> None:
        """Paused: no runs. Resumed: the next time after resuming fires, nothing from the paused hours."""
        workflow_id = world.publish(document(schedule(every={"hours": 1})), overlap_policy="parallel")
        scheduler = world.scheduler()
        start = world.clock.now()  # 09:00
        tick_through(world, scheduler, until=start + timedelta(hours=1, minutes=30), step=timedelta(minutes=30))
        assert fired_at(world, workflow_id) == [start + timedelta(hours=1)]
        world.act(lifecycle.pause, workflow_id)  # 10:30
        assert (
            tick_through(world, scheduler, until=start + timedelta(hours=5, minutes=40), step=timedelta(minutes=30))
            == []
        )
        world.act(lifecycle.resume, workflow_id)  # 14:40: 11:00 … 14:00 passed while paused
        assert (
            tick_through(world, scheduler, until=start + timedelta(hours=5, minutes=59), step=timedelta(minutes=1))
            == []
        )
        tick_through(world, scheduler, until=start + timedelta(hours=6, minutes=30), step=timedelta(minutes=30))
        assert fired_at(world, workflow_id) == [start + timedelta(hours=1), start + timedelta(hours=6)]
        assert [f.outcome for f in world.firings(workflow_id)] == ["started", "started"]

    def test_a_restart_after_resume_does_not_replay_the_pause_either(self, world: World) -> None:
        """A scheduler started after the resume (nothing in memory) also fires nothing from the paused hours."""
        workflow_id = world.publish(document(schedule(every={"hours": 1})))
        world.at(world.clock.now() + timedelta(hours=1))
        world.scheduler().tick()
        world.act(lifecycle.pause, workflow_id)
        world.at(world.clock.now() + timedelta(hours=5, minutes=10))
        world.act(lifecycle.resume, workflow_id)
        world.at(world.clock.now() + timedelta(minutes=10))
        assert world.scheduler().tick() == []
        assert len(world.runs(workflow_id)) == 1


class TestOneBadWorkflow:
    def test_a_broken_workflow_does_not_stop_the_others(self, world: World, caplog: pytest.LogCaptureFixture) -> None:
        """A workflow whose stored version no longer reads does not fire; the others still do."""
        broken = world.publish(document(schedule(every={"hours": 1}), name="Broken"))
        sound = world.publish(document(schedule(every={"hours": 1}), name="Sound"))
        with world.store.transaction() as session:
            session.execute(
                update(WorkflowVersion)
                .where(WorkflowVersion.workflow_id == broken)
                .values(definition={"name": "Broken", "steps": "not a list"})
            )
        world.at(world.clock.now() + timedelta(hours=1))
        assert len(world.scheduler().tick()) == 1
        assert (len(world.runs(broken)), len(world.runs(sound))) == (0, 1)
        assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
            f"workflow {broken} version 1 does not read as a workflow document; it will not fire"
        ]
        caplog.clear()
