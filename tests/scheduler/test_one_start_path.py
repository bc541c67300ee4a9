"""Every way a run starts goes through `run_start.begin_run`: the call limit refuses each of them alike.

A workflow with a call limit of 1 spends it on one run; then Run now, a re-run, the scheduler's next firing and the
command line's runner are each refused with the one sentence `call_limit_refusal` writes, and none makes a run.
(Recovery hands over queued runs, which were admitted when they were started; it starts none.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from redflare.adapters.db.orm import Run, Workflow
from redflare.adapters.db.runs import transition_run
from redflare.domain.runs import RunStatus
from redflare.engine.executors import InlineAnalysisExecutor
from redflare.services import lifecycle
from redflare.services.execution import Runner
from redflare.services.run_start import CallLimitReached, begin_run
from redflare.services.runs import rerun, run_now
from tests.scheduler.conftest import T0, World, document, schedule

REFUSAL = "The call limit of 1 calls in 24 hours is reached (1 used): this firing makes no run."


@pytest.fixture
def spent(world: World) -> tuple[str, str]:
    """A live hourly workflow with a call limit of 1, spent by one run that then failed: (workflow id, run id)."""
    workflow_id = world.publish(document(schedule(every={"hours": 1}), name="Limited"), call_limit=1)
    with world.store.transaction() as session:
        workflow = session.get(Workflow, workflow_id)
        assert workflow is not None
        run = begin_run(session, workflow=workflow, now=world.clock.now())
        transition_run(session, run_id=run.id, to=RunStatus.FAILED, now=world.clock.now(), error="broke")
    return workflow_id, run.id


def runs_of(world: World, workflow_id: str) -> int:
    with world.store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Run).where(Run.workflow_id == workflow_id)) or 0)


def test_run_now_is_refused(world: World, spent: tuple[str, str]) -> None:
    workflow_id, _ = spent
    with pytest.raises(CallLimitReached) as refused:
        run_now(world.store, principal=world.owner, workflow_id=workflow_id, test=False, now=world.clock.now())
    assert str(refused.value) == REFUSAL
    assert runs_of(world, workflow_id) == 1


def test_a_test_run_is_no_call_and_is_not_refused(world: World, spent: tuple[str, str]) -> None:
    workflow_id, _ = spent
    run_now(world.store, principal=world.owner, workflow_id=workflow_id, test=True, now=world.clock.now())
    assert runs_of(world, workflow_id) == 2


def test_a_rerun_is_refused_and_the_run_stays_failed(world: World, spent: tuple[str, str]) -> None:
    _, run_id = spent
    with pytest.raises(CallLimitReached) as refused:
        rerun(world.store, principal=world.owner, run_id=run_id, now=world.clock.now())
    assert str(refused.value) == REFUSAL
    with world.store.read() as session:
        assert session.scalar(select(Run.status).where(Run.id == run_id)) == "failed"


def test_the_schedulers_firing_is_refused(world: World, spent: tuple[str, str]) -> None:
    workflow_id, _ = spent
    world.at(T0 + timedelta(hours=1))
    assert world.scheduler().tick() == []
    assert [(f.outcome, f.reason) for f in world.firings(workflow_id)][-1] == ("skipped", REFUSAL)
    assert runs_of(world, workflow_id) == 1


def test_the_command_lines_runner_is_refused(world: World, spent: tuple[str, str]) -> None:
    workflow_id, _ = spent
    runner = Runner(world.store, world.clock, InlineAnalysisExecutor())  # as `redflare run NAME` builds it
    with runner, pytest.raises(CallLimitReached) as refused:
        runner.run_workflow("Limited")
    assert str(refused.value) == REFUSAL
    assert runs_of(world, workflow_id) == 1


def test_a_resumed_workflow_is_still_limited(world: World, spent: tuple[str, str]) -> None:
    """Pausing and resuming resets nothing: the limit is a rolling 24 hours of calls."""
    workflow_id, _ = spent
    world.act(lifecycle.pause, workflow_id)
    world.act(lifecycle.resume, workflow_id)
    with pytest.raises(CallLimitReached):
        run_now(world.store, principal=world.owner, workflow_id=workflow_id, test=False, now=world.clock.now())
