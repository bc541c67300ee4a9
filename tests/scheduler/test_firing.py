"""The firing policy: one firing decided in one transaction, its outcome and reason recorded on its row."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from redflare.adapters.db.orm import Workflow
from redflare.adapters.db.runs import transition_run
from redflare.domain.runs import RunStatus
from redflare.scheduler.firing import FiringResult, fire, schedule_key, start_waiting
from redflare.services import drafts, lifecycle, versions
from redflare.services.run_start import runnable_document, start_run
from tests.scheduler.conftest import World, document, schedule

HOURLY = document(schedule(every={"hours": 1}))


def fire_now(world: World, workflow_id: str, moment: datetime, **extra: Any) -> FiringResult:
    with world.store.transaction() as session:
        workflow = session.get(Workflow, workflow_id)
        assert workflow is not None
        return fire(
            session,
            workflow=workflow,
            key=schedule_key(moment),
            trigger_type="schedule",
            scheduled_for=moment,
            payload={"scheduled_for": moment.isoformat(), **extra},
            now=world.clock.now(),
        )


def manual_run(world: World, workflow_id: str) -> str:
    """A run left queued, as Run now makes it: "a run still going"."""
    with world.store.transaction() as session:
        workflow = session.get(Workflow, workflow_id)
        assert workflow is not None
        doc, version = runnable_document(session, workflow)
        return start_run(session, workflow_id=workflow_id, document=doc, version=version, now=world.clock.now()).id


def end_run(world: World, run_id: str) -> None:
    with world.store.transaction() as session:
        now = world.clock.now()
        transition_run(session, run_id=run_id, to=RunStatus.RUNNING, now=now)
        transition_run(session, run_id=run_id, to=RunStatus.COMPLETED, now=now)


def outcomes(world: World, workflow_id: str) -> list[tuple[str, str | None]]:
    return [(f.outcome, f.reason) for f in world.firings(workflow_id)]


class TestStart:
    def test_starts_a_run_of_the_active_version(self, world: World) -> None:
        """A firing runs the version set active — not the newest one, not the draft — with its payload and key."""
        workflow_id = world.publish(HOURLY)
        with world.store.transaction() as session:
            changed = document(schedule(every={"hours": 1}), limit=7)
            drafts.replace_draft(
                session, principal=world.owner, workflow_id=workflow_id, data=changed, now=world.clock.now()
            )
            lifecycle.publish(session, principal=world.owner, workflow_id=workflow_id, now=world.clock.now())
            versions.activate(session, principal=world.owner, workflow_id=workflow_id, number=1, now=world.clock.now())
        moment = world.clock.now() + timedelta(hours=1)
        result = fire_now(world, workflow_id, moment)
        assert result.outcome == "started"
        (run,) = world.runs(workflow_id)
        assert result.run_id == run.id
        assert (run.version, run.status, run.trigger_type) == (1, "queued", "schedule")
        assert "limit" not in run.definition["steps"][0]["config"]
        assert run.trigger_payload == {"scheduled_for": moment.isoformat()}
        assert run.idempotency_key == f"{workflow_id}:schedule:{moment.isoformat()}"
        (firing,) = world.firings(workflow_id)
        assert (firing.outcome, firing.reason, firing.run_id) == ("started", None, run.id)

    def test_the_same_firing_again_is_a_duplicate(self, world: World) -> None:
        """Seen twice, a firing makes one run; the second is counted on the firing and changes nothing else."""
        workflow_id = world.publish(HOURLY, overlap_policy="parallel")
        moment = world.clock.now() + timedelta(hours=1)
        first, second = fire_now(world, workflow_id, moment), fire_now(world, workflow_id, moment)
        assert (first.outcome, second.outcome, second.duplicate, second.run_id) == ("started", "duplicate", True, None)
        assert len(world.runs(workflow_id)) == 1
        (firing,) = world.firings(workflow_id)
        assert (firing.outcome, firing.duplicates) == ("started", 1)

    @pytest.mark.parametrize("state", ["draft", "paused"])
    def test_a_workflow_not_live_is_skipped(self, world: World, state: str) -> None:
        """Pause stops new runs: a firing of a paused (or never published) workflow is recorded as skipped."""
        if state == "draft":
            workflow_id = world.draft(HOURLY)
        else:
            workflow_id = world.publish(HOURLY)
            world.act(lifecycle.pause, workflow_id)
        result = fire_now(world, workflow_id, world.clock.now())
        assert (result.outcome, result.reason, result.run_id) == ("skipped", "the workflow is paused", None)
        assert world.runs(workflow_id) == []
        assert outcomes(world, workflow_id) == [("skipped", "the workflow is paused")]


class TestCallLimit:
    def test_a_firing_past_the_limit_is_skipped_with_the_reason(self, world: World) -> None:
        """With 2 calls in 24 hours allowed, the third firing makes no run and says why; a day later one runs again."""
        workflow_id = world.publish(HOURLY, overlap_policy="parallel", call_limit=2)
        start = world.clock.now()
        results = [fire_now(world, workflow_id, start + timedelta(hours=h)) for h in (1, 2, 3)]
        assert [r.outcome for r in results] == ["started", "started", "skipped"]
        reason = "The call limit of 2 calls in 24 hours is reached (2 used): this firing makes no run."
        assert results[2].reason == reason
        assert len(world.runs(workflow_id)) == 2
        assert outcomes(world, workflow_id)[2] == ("skipped", reason)
        world.clock.advance(timedelta(hours=24, seconds=1).total_seconds())
        assert fire_now(world, workflow_id, start + timedelta(hours=25)).outcome == "started"


class TestOverlap:
    def test_skip_while_a_run_is_going(self, world: World) -> None:
        """Policy "skip": a firing while a run is still going is skipped and recorded so."""
        workflow_id = world.publish(HOURLY, overlap_policy="skip")
        going = manual_run(world, workflow_id)
        result = fire_now(world, workflow_id, world.clock.now())
        assert (result.outcome, result.reason) == ("skipped", "a run was still going")
        assert [run.id for run in world.runs(workflow_id)] == [going]

    def test_parallel_starts_beside_it(self, world: World) -> None:
        """Policy "parallel": a firing starts its run beside the one still going."""
        workflow_id = world.publish(HOURLY, overlap_policy="parallel")
        manual_run(world, workflow_id)
        assert fire_now(world, workflow_id, world.clock.now()).outcome == "started"
        assert len(world.runs(workflow_id)) == 2

    def test_queue_keeps_one_waiting_and_starts_it_when_the_run_ends(self, world: World) -> None:
        """Policy "queue": one firing waits (a second is skipped); once the run ends the waiting one starts."""
        workflow_id = world.publish(HOURLY, overlap_policy="queue")
        going = manual_run(world, workflow_id)
        start = world.clock.now()
        first = fire_now(world, workflow_id, start + timedelta(hours=1))
        second = fire_now(world, workflow_id, start + timedelta(hours=2))
        assert (first.outcome, first.reason) == ("waiting", "a run was still going")
        assert (second.outcome, second.reason) == ("skipped", "one firing is already waiting")
        with world.store.transaction() as session:
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            assert start_waiting(session, workflow=workflow, now=world.clock.now()) is None  # still going
        end_run(world, going)
        with world.store.transaction() as session:
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            started = start_waiting(session, workflow=workflow, now=world.clock.now())
        assert started is not None
        assert started.outcome == "started"
        runs = world.runs(workflow_id)
        assert [run.id for run in runs] == [going, started.run_id]
        assert runs[1].trigger_payload == {"scheduled_for": (start + timedelta(hours=1)).isoformat()}
        assert outcomes(world, workflow_id) == [("started", None), ("skipped", "one firing is already waiting")]

    def test_a_test_run_is_not_a_run_going(self, world: World) -> None:
        """A test run (a sample, nothing sent) does not hold back a firing."""
        workflow_id = world.publish(HOURLY, overlap_policy="skip")
        with world.store.transaction() as session:
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            doc, version = runnable_document(session, workflow)
            start_run(session, workflow_id=workflow_id, document=doc, version=version, now=world.clock.now(), test=True)
        assert fire_now(world, workflow_id, world.clock.now()).outcome == "started"

    def test_a_waiting_firing_of_a_workflow_paused_meanwhile_is_skipped(self, world: World) -> None:
        """Paused while a firing waits: when the run ends, the waiting firing makes no run."""
        workflow_id = world.publish(HOURLY, overlap_policy="queue")
        going = manual_run(world, workflow_id)
        assert fire_now(world, workflow_id, world.clock.now()).outcome == "waiting"
        world.act(lifecycle.pause, workflow_id)
        end_run(world, going)
        with world.store.transaction() as session:
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            result = start_waiting(session, workflow=workflow, now=world.clock.now())
        assert result is not None
        assert (result.outcome, result.reason) == ("skipped", "the workflow is paused")
        assert len(world.runs(workflow_id)) == 1
