"""Two schedulers over one store, ticking at the same moments in two threads: one run per firing, exactly."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import func, select

from redflare.adapters.db.orm import Firing, Workflow
from redflare.scheduler.firing import fire, schedule_key
from redflare.scheduler.loop import Scheduler
from tests.scheduler.conftest import World, document, schedule

SCHEDULED = 3  # workflows firing every 15 minutes
LISTENERS = 2  # workflows listening for alpha's Sync Completed
STEPS = 8  # clock steps of 15 minutes, each with one sync
ROUNDS = 3  # passes each scheduler makes at each step


def both_tick(schedulers: list[Scheduler]) -> list[str]:
    """Each scheduler makes ROUNDS passes, both starting each pass together; answers every run id started."""
    barrier = threading.Barrier(len(schedulers))

    def passes(scheduler: Scheduler) -> list[str]:
        started = []
        for _ in range(ROUNDS):
            barrier.wait()
            started += scheduler.tick()
        return started

    with ThreadPoolExecutor(len(schedulers)) as pool:
        return [run_id for ran in pool.map(passes, schedulers) for run_id in ran]


def test_two_schedulers_make_one_run_per_firing(world: World) -> None:
    """However the two interleave, every schedule time and every sync makes one run per workflow, handed to one
    scheduler only; the other's attempts are recorded as duplicates."""
    scheduled = [
        world.publish(document(schedule(every={"minutes": 15}), name=f"s{i}"), overlap_policy="parallel")
        for i in range(SCHEDULED)
    ]
    listeners = [
        world.publish(
            document({"type": "sync_completed", "integration": "alpha"}, name=f"l{i}"), overlap_policy="parallel"
        )
        for i in range(LISTENERS)
    ]
    schedulers = [world.scheduler(), world.scheduler()]
    started = []
    for _ in range(STEPS):
        world.clock.advance(timedelta(minutes=15).total_seconds())
        world.sync("alpha", "completed", arrived=["x"])
        started += both_tick(schedulers)

    assert {w: len(world.runs(w)) for w in scheduled} == dict.fromkeys(scheduled, STEPS)
    assert {w: len(world.runs(w)) for w in listeners} == dict.fromkeys(listeners, STEPS)
    all_runs = world.runs()
    assert sorted(started) == sorted(run.id for run in all_runs)  # each started, and handed over, once
    assert sorted(world.submitted) == sorted(started)
    for workflow_id in scheduled + listeners:
        assert [run.number for run in world.runs(workflow_id)] == list(range(1, STEPS + 1))
    with world.store.read() as session:
        outcomes = dict(session.execute(select(Firing.outcome, func.count()).group_by(Firing.outcome)).all())
    assert outcomes == {"started": STEPS * (SCHEDULED + LISTENERS)}


def fire_from_four_threads(world: World, workflow_id: str, moments: list[datetime]) -> list[str]:
    """Fire each moment in its own thread, all four transactions starting together; answers the outcomes, sorted."""
    barrier = threading.Barrier(len(moments))

    def fire_once(moment: datetime) -> str:
        barrier.wait()
        with world.store.transaction() as session:
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            return fire(
                session,
                workflow=workflow,
                key=schedule_key(moment),
                trigger_type="schedule",
                scheduled_for=moment,
                payload={},
                now=world.clock.now(),
            ).outcome

    with ThreadPoolExecutor(len(moments)) as pool:
        return sorted(pool.map(fire_once, moments))


class TestFourAtOnce:
    def test_the_same_firing_starts_once(self, world: World) -> None:
        """Four transactions firing the same schedule time at once: one run; three duplicates recorded."""
        workflow_id = world.publish(document(schedule(every={"minutes": 15})), overlap_policy="parallel")
        moment = world.clock.now() + timedelta(minutes=15)
        assert fire_from_four_threads(world, workflow_id, [moment] * 4) == ["duplicate"] * 3 + ["started"]
        assert len(world.runs(workflow_id)) == 1
        (firing,) = world.firings(workflow_id)
        assert (firing.outcome, firing.duplicates) == ("started", 3)

    def test_different_firings_in_parallel_number_their_runs_apart(self, world: World) -> None:
        """Four different firings at once with policy "parallel": four runs, numbered 1 to 4."""
        workflow_id = world.publish(document(schedule(every={"minutes": 15})), overlap_policy="parallel")
        moments = [world.clock.now() + timedelta(minutes=15 * i) for i in range(1, 5)]
        assert fire_from_four_threads(world, workflow_id, moments) == ["started"] * 4
        assert sorted(run.number for run in world.runs(workflow_id)) == [1, 2, 3, 4]

    def test_different_firings_queued_keep_one_waiting(self, world: World) -> None:
        """Four different firings at once while a run goes, policy "queue": exactly one waits, three are skipped."""
        workflow_id = world.publish(document(schedule(every={"minutes": 15})), overlap_policy="queue")
        moments = [world.clock.now() + timedelta(minutes=15 * i) for i in range(1, 6)]
        assert fire_from_four_threads(world, workflow_id, moments[:1]) == ["started"]  # and still queued
        assert fire_from_four_threads(world, workflow_id, moments[1:]) == ["skipped"] * 3 + ["waiting"]
