"""Two schedulers over one store, ticking at the same moments in two threads: one run per firing, exactly."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

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
    assert sorted(run_id for run_id, _ in world.submitted) == sorted(started)
    for workflow_id in scheduled + listeners:
        assert [run.number for run in world.runs(workflow_id)] == list(range(1, STEPS + 1))
    with world.store.read() as session:
        outcomes = dict(session.execute(select(Firing.outcome, func.count()).group_by(Firing.outcome)).all())
    assert outcomes == {"started": STEPS * (SCHEDULED + LISTENERS)}


def test_the_same_firing_from_four_threads_at_once_starts_once(world: World) -> None:
    """Four transactions firing the same schedule time at the same moment: one run; three duplicates recorded."""
    workflow_id = world.publish(document(schedule(every={"minutes": 15})), overlap_policy="parallel")
    moment = world.clock.now() + timedelta(minutes=15)
    barrier = threading.Barrier(4)

    def fire_once(_: int) -> str:
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

    with ThreadPoolExecutor(4) as pool:
        outcomes = sorted(pool.map(fire_once, range(4)))
    assert outcomes == ["duplicate", "duplicate", "duplicate", "started"]
    assert len(world.runs(workflow_id)) == 1
    (firing,) = world.firings(workflow_id)
    assert (firing.outcome, firing.duplicates) == ("started", 3)
