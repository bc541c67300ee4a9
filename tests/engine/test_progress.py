"""Live progress of Process Conversations: the step's reports, the engine's throttled writes, what the store keeps."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import RunEvent
from redflare.adapters.db.progress import StoredProgress
from redflare.adapters.db.runs import record_progress, transition_run, transition_step
from redflare.adapters.db.store import Store
from redflare.domain.runs import RunStatus, StepStatus
from redflare.services.backends import run_engine
from redflare.services.delivery_setup import unconfigured_delivery
from redflare.services.execution import Runner
from redflare.services.run_start import start_run
from redflare.services.runs import cancel_run, run_resource
from redflare.services.workflows import checked_document, save_draft_by_name
from tests.factories import PROCESS, SELECT_DEMO, add_conversations, make_runner, step, workflow


def queue(store: Store, runner: Runner, document: dict[str, Any], *, test: bool = False) -> str:
    with store.transaction() as session:
        checked = checked_document(session, document)
        stored = save_draft_by_name(session, checked, now=runner.clock.now())
        return start_run(
            session, workflow_id=stored.id, document=checked, version=None, now=runner.clock.now(), test=test
        ).id


def execute(store: Store, runner: Runner, run_id: str, *, interval: float | None = None) -> dict[str, Any]:
    """Run it on an engine whose progress throttle is `interval` seconds (None: the engine's default)."""
    delivery = unconfigured_delivery(store.artifacts_dir.parent / "exports", runner.clock)
    engine = run_engine(
        store,
        runner.clock,
        runner.executor,
        delivery,
        batch_size=runner.batch_size,
        **({"progress_interval": interval} if interval is not None else {}),
    )
    asyncio.run(engine.execute(run_id))
    with store.read() as session:
        return run_resource(session, run_id)


def progress_events(store: Store, run_id: str, step_id: str = "analyse") -> list[dict[str, Any]]:
    with store.read() as session:
        rows = session.execute(
            select(RunEvent.status, RunEvent.progress)
            .where(RunEvent.run_id == run_id, RunEvent.step_id == step_id, RunEvent.progress.is_not(None))
            .order_by(RunEvent.id)
        ).all()
    assert {status for status, _ in rows} <= {"running"}
    return [progress for _, progress in rows]


def analyse_of(resource: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in resource["steps"] if s["id"] == "analyse")


def batched(size: int) -> dict[str, Any]:
    return step("analyse", "process_conversations", ["pick"], pipeline="default-qa", batch_size=size)


class TestProcessConversationsReports:
    def test_every_conversation_is_reported_when_nothing_holds_reports_back(self, store: Store) -> None:
        """0 of 10 before the first batch, then each conversation as it is analysed, not only each batch's end (a
        batch's last one once the batch is stored, with its credits), ending at 10 of 10."""
        add_conversations(store, 10)
        runner = make_runner(store)
        resource = execute(store, runner, queue(store, runner, workflow(SELECT_DEMO, batched(3))), interval=0)
        events = progress_events(store, resource["id"])
        assert [(e["processed"], e["total"]) for e in events] == [(n, 10) for n in range(11)]
        # Within a batch the credits stand still; a batch's end adds its charges.
        assert [e["credits"] for e in events if e["processed"] in (1, 2, 3, 4)] == [0.0, 0.0, 3.0, 3.0]
        credits = [e["credits"] for e in events]
        assert credits == sorted(credits)
        analyse = analyse_of(resource)
        assert events[-1] == analyse["progress"] == {"processed": 10, "total": 10, "credits": analyse["credits"]}
        assert analyse["credits"] == pytest.approx(10.0)  # default-qa: one credit per chat

    def test_the_throttle_keeps_the_writes_few_and_the_last_report(self, store: Store) -> None:
        """With the engine's own throttle: at most one write per batch plus the first, the last always there."""
        add_conversations(store, 12)
        runner = make_runner(store)
        resource = execute(store, runner, queue(store, runner, workflow(SELECT_DEMO, batched(2))))
        events = progress_events(store, resource["id"])
        assert 1 <= len(events) <= 6 + 1
        processed = [e["processed"] for e in events]
        assert processed == sorted(set(processed))  # increasing, never the same report twice
        analyse = analyse_of(resource)
        assert analyse["status"] == "completed"
        assert events[-1] == analyse["progress"] == {"processed": 12, "total": 12, "credits": analyse["credits"]}

    def test_total_leaves_out_the_reused_results(self, store: Store) -> None:
        """A second run reuses every stored result: nothing to analyse, 0 of 0 at no cost."""
        add_conversations(store, 5)
        runner = make_runner(store)
        document = workflow(SELECT_DEMO, batched(2))
        execute(store, runner, queue(store, runner, document), interval=0)
        second = execute(store, runner, queue(store, runner, document), interval=0)
        assert analyse_of(second)["progress"] == {"processed": 0, "total": 0, "credits": 0.0}
        assert progress_events(store, second["id"]) == [{"processed": 0, "total": 0, "credits": 0.0}]

    def test_a_limit_stop_ends_below_the_total(self, store: Store) -> None:
        """The call limit stops admission: processed ends at what was sent, the rest is skipped."""
        add_conversations(store, 10)
        runner = make_runner(store)
        document = workflow(SELECT_DEMO, batched(3), settings={"call_limit": 5})
        resource = execute(store, runner, queue(store, runner, document), interval=0)
        analyse = analyse_of(resource)
        assert analyse["tally"]["processed"] == 4
        assert analyse["progress"] == {"processed": 4, "total": 10, "credits": analyse["credits"]}

    def test_a_test_run_reports_no_credits(self, store: Store) -> None:
        add_conversations(store, 4)
        runner = make_runner(store)
        resource = execute(store, runner, queue(store, runner, workflow(SELECT_DEMO, batched(2)), test=True))
        assert analyse_of(resource)["progress"] == {"processed": 4, "total": 4, "credits": 0.0}

    def test_steps_that_do_not_report_have_no_progress(self, store: Store) -> None:
        add_conversations(store, 3)
        runner = make_runner(store)
        resource = execute(store, runner, queue(store, runner, workflow(SELECT_DEMO, PROCESS)))
        pick = next(s for s in resource["steps"] if s["id"] == "pick")
        assert pick["progress"] is None
        assert progress_events(store, resource["id"], "pick") == []


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def running_step(store: Store, runner: Runner) -> str:
    """A run moved to running with its Process Conversations step running, as the engine leaves them."""
    add_conversations(store, 1)
    run_id = queue(store, runner, workflow(SELECT_DEMO, PROCESS))
    with store.transaction() as session:
        transition_run(session, run_id=run_id, to=RunStatus.RUNNING, now=runner.clock.now())
        transition_step(session, run_id=run_id, step_id="analyse", to=StepStatus.RUNNING, now=runner.clock.now())
    return run_id


class TestStoredProgress:
    def test_reports_closer_than_the_interval_wait_and_flush_writes_the_last(self, store: Store) -> None:
        runner = make_runner(store)
        run_id = running_step(store, runner)
        time = FakeTime()
        sink = StoredProgress(
            store.sessions, runner.clock, run_id=run_id, step_id="analyse", interval=0.5, monotonic=time
        )
        sink.report(0, 9, Decimal(0))  # the first is written at once
        for processed, at in ((2, 0.1), (4, 0.2), (6, 0.6), (8, 0.7)):
            time.now = 100.0 + at
            sink.report(processed, 9, Decimal(processed))
        assert [e["processed"] for e in progress_events(store, run_id)] == [0, 6]
        sink.flush()
        sink.flush()  # nothing new waits: nothing more is written
        assert [e["processed"] for e in progress_events(store, run_id)] == [0, 6, 8]
        with store.read() as session:
            assert analyse_of(run_resource(session, run_id))["progress"] == {
                "processed": 8,
                "total": 9,
                "credits": 8.0,
            }

    def test_nothing_is_written_once_the_run_is_cancelled(self, store: Store) -> None:
        runner = make_runner(store)
        run_id = running_step(store, runner)
        with store.transaction() as session:
            assert record_progress(
                session, run_id=run_id, step_id="analyse", progress={"processed": 1}, now=runner.clock.now()
            )
            cancel_run(session, run_id, now=runner.clock.now())
        with store.transaction() as session:
            assert not record_progress(
                session, run_id=run_id, step_id="analyse", progress={"processed": 2}, now=runner.clock.now()
            )
            assert not record_progress(
                session, run_id=run_id, step_id="pick", progress={"processed": 2}, now=runner.clock.now()
            )  # a pending step reports nothing either
        assert progress_events(store, run_id) == [{"processed": 1}]

    def test_a_re_run_clears_the_progress_of_the_steps_it_resets(self, store: Store) -> None:
        runner = make_runner(store)
        run_id = running_step(store, runner)
        now = runner.clock.now()
        with store.transaction() as session:
            record_progress(session, run_id=run_id, step_id="analyse", progress={"processed": 1}, now=now)
            transition_step(session, run_id=run_id, step_id="analyse", to=StepStatus.FAILED, now=now)
            transition_step(session, run_id=run_id, step_id="analyse", to=StepStatus.PENDING, now=now)
        with store.read() as session:
            assert analyse_of(run_resource(session, run_id))["progress"] is None
