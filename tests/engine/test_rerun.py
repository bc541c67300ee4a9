"""Re-running a failed run from its failed step, on a real store, through the engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from redflare.adapters.db.orm import Charge, Pipeline, RunEvent
from redflare.adapters.db.runs import reopen_run
from redflare.adapters.db.store import Store
from redflare.analysis.analyse import analyse_batch
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.domain.errors import IllegalTransition
from redflare.services.execution import Runner
from redflare.services.metrics import workflow_metrics
from redflare.services.run_start import start_run
from redflare.services.runs import cancel_run, run_resource
from redflare.services.workflows import checked_document, save_draft_by_name
from redflare.steps.context import Batch, InFlight
from tests.factories import PROCESS, SELECT_DEMO, add_conversations, make_runner, step, workflow
from tests.services.test_metrics import ADMIN

SORTED = step("sorted", "sort", ["analyse"], by=[{"field": "score", "direction": "asc"}])
OTHER = step("other", "sort", ["pick"], by=[{"field": "id", "direction": "asc"}])


def steps_by_id(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in resource["steps"]}


def queue(store: Store, runner: Runner, document: dict[str, Any]) -> str:
    with store.transaction() as session:
        checked = checked_document(session, document)
        stored = save_draft_by_name(session, checked, now=runner.clock.now())
        return start_run(session, workflow_id=stored.id, document=checked, version=None, now=runner.clock.now()).id


def set_archived(store: Store, archived: bool) -> None:
    with store.transaction() as session:
        session.execute(Pipeline.__table__.update().values(archived=archived))


def executions(store: Store, run_id: str, step_id: str) -> int:
    """How many times a step of the run was started (its `running` events that are not progress reports)."""
    with store.transaction() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(RunEvent)
                .where(
                    RunEvent.run_id == run_id,
                    RunEvent.step_id == step_id,
                    RunEvent.status == "running",
                    RunEvent.progress.is_(None),
                )
            )
            or 0
        )


def runner_resource(store: Store, run_id: str) -> dict[str, Any]:
    with store.read() as session:
        return run_resource(session, run_id)


def charged_ids(store: Store) -> list[str]:
    with store.transaction() as session:
        return list(session.scalars(select(Charge.conversation_id)))


def failed_run(store: Store, runner: Runner, n: int) -> str:
    """A run whose Process step failed (its pipeline archived after the run was queued)."""
    add_conversations(store, n)
    run_id = queue(store, runner, workflow(SELECT_DEMO, PROCESS, SORTED, OTHER))
    set_archived(store, True)
    assert runner.execute(run_id)["status"] == "failed"
    return run_id


class FailingAfter:
    """Inline analysis that breaks down once `good` batches have been analysed."""

    def __init__(self, good: int) -> None:
        self.good = good

    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[Batch], in_flight: InFlight | None = None
    ) -> Iterator[list[AnalysisOutcome]]:
        for done, batch in enumerate(batches):
            if done == self.good:
                raise RuntimeError("the analysis service went away")
            yield analyse_batch(pipeline, batch.conversations())


class TestReopen:
    def test_failed_and_skipped_steps_go_back_to_pending(self, store: Store) -> None:
        """Reopening names the failed step and what it skipped; completed steps stay completed."""
        runner = make_runner(store)
        run_id = failed_run(store, runner, 4)
        with store.transaction() as session:
            reset = reopen_run(session, run_id=run_id, now=runner.clock.now())
        assert reset == ["analyse", "sorted"]
        with store.transaction() as session:
            resource = run_resource(session, run_id)
        steps = steps_by_id(resource)
        assert resource["status"] == "running"
        assert resource["finished_at"] is None
        assert resource["error"] is None
        assert {s: steps[s]["status"] for s in steps} == {
            "pick": "completed",
            "analyse": "pending",
            "sorted": "pending",
            "other": "completed",
        }

    @pytest.mark.parametrize("finish", ["completed", "queued"])
    def test_only_a_failed_run_reopens(self, store: Store, finish: str) -> None:
        """A completed run, or one still queued, cannot be re-run."""
        add_conversations(store, 2)
        runner = make_runner(store)
        run_id = queue(store, runner, workflow(SELECT_DEMO))
        if finish == "completed":
            assert runner.execute(run_id)["status"] == "completed"
        with store.transaction() as session, pytest.raises(IllegalTransition):
            reopen_run(session, run_id=run_id, now=runner.clock.now())


class TestRerun:
    def test_rerun_starts_from_the_failed_step(self, store: Store) -> None:
        """After the cause is fixed, the run completes; steps that had completed are not run again."""
        runner = make_runner(store)
        run_id = failed_run(store, runner, 6)
        with store.transaction() as session:
            before = steps_by_id(run_resource(session, run_id))
        runner.clock.advance(60)  # type: ignore[attr-defined]
        set_archived(store, False)
        with store.transaction() as session:
            reopen_run(session, run_id=run_id, now=runner.clock.now())
        resource = runner.execute(run_id)
        after = steps_by_id(resource)
        assert resource["status"] == "completed"
        assert after["pick"]["started_at"] == before["pick"]["started_at"]
        assert after["other"]["finished_at"] == before["other"]["finished_at"]
        assert after["analyse"]["started_at"] != before["analyse"]["started_at"]
        assert (executions(store, run_id, "pick"), executions(store, run_id, "analyse")) == (1, 2)
        assert after["analyse"]["rows_in"] == before["pick"]["rows_out"] == 6
        assert after["sorted"]["rows_out"] == 6

    def test_the_wait_before_a_rerun_is_not_runtime(self, store: Store) -> None:
        """Failed for an hour, then 5 s of work: the run reports 5 s, in its resource and in the tab's average."""
        runner = make_runner(store)
        run_id = failed_run(store, runner, 3)
        started = steps_by_id(runner_resource(store, run_id))["pick"]["started_at"]
        runner.clock.advance(3600)  # type: ignore[attr-defined]
        set_archived(store, False)
        with store.transaction() as session:
            reopen_run(session, run_id=run_id, now=runner.clock.now())
        runner.clock.advance(5)  # type: ignore[attr-defined]
        resource = runner.execute(run_id)
        assert resource["status"] == "completed"
        assert resource["started_at"] == started  # the run still began when it began
        assert resource["runtime_s"] == 5.0
        with store.read() as session:
            workflow_id = str(resource["workflow_id"])
            assert workflow_metrics(session, principal=ADMIN, workflow_id=workflow_id).average_runtime_s == 5.0

    def test_the_engine_reruns_a_failed_run_handed_to_it(self, store: Store) -> None:
        """Executing a failed run reopens it first (the CLI and workers need no separate step)."""
        runner = make_runner(store)
        run_id = failed_run(store, runner, 3)
        set_archived(store, False)
        resource = runner.execute(run_id)
        assert resource["status"] == "completed"
        assert executions(store, run_id, "pick") == 1

    def test_rerun_never_charges_twice(self, store: Store) -> None:
        """Batches the failed attempt paid for are reused; each conversation is charged once in all."""
        n, batch = 9, 3
        add_conversations(store, n)
        runner = make_runner(store, FailingAfter(good=1), batch_size=batch)
        run_id = queue(store, runner, workflow(SELECT_DEMO, PROCESS, SORTED))
        first = runner.execute(run_id)
        assert first["status"] == "failed"
        assert steps_by_id(first)["analyse"]["credits"] == pytest.approx(float(batch))
        runner = make_runner(store, batch_size=batch)  # the analysis service is back: a fresh runner re-runs it
        resource = runner.execute(run_id)
        analyse = steps_by_id(resource)["analyse"]
        charged = charged_ids(store)
        assert resource["status"] == "completed"
        assert sorted(charged) == sorted(set(charged))
        assert len(charged) == n
        assert analyse["tally"]["reused"] == batch
        assert analyse["tally"]["processed"] == n - batch
        assert resource["credits"] == pytest.approx(float(n))  # default-qa: one credit per chat
        assert analyse["credits"] == pytest.approx(resource["credits"])  # the step shows both attempts' spend
        assert resource["conversations_processed"] == n


class TestCancelledBeforeStart:
    def test_a_cancelled_queued_run_is_left_alone(self, store: Store) -> None:
        """A run cancelled while still queued is not started by the engine; its steps are cancelled."""
        add_conversations(store, 2)
        runner = make_runner(store)
        run_id = queue(store, runner, workflow(SELECT_DEMO, PROCESS))
        with store.transaction() as session:
            cancel_run(session, run_id, now=runner.clock.now())
        resource = runner.execute(run_id)
        assert resource["status"] == "cancelled"
        assert resource["started_at"] is None
        assert {s["status"] for s in resource["steps"]} == {"cancelled"}
        assert executions(store, run_id, "pick") == 0
