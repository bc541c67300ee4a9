"""On start, a server takes over what the last one left: queued runs are handed to the engine, runs cut off
mid-way fail with the reason and re-run to completion from their failed step."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from redflare.adapters.db.orm import OutboxMessage, Run
from redflare.adapters.db.outbox import add_messages
from redflare.adapters.db.runs import transition_run, transition_step
from redflare.adapters.db.store import Store
from redflare.domain.delivery import MessageStatus, OutgoingMessage
from redflare.domain.ports import FixedClock
from redflare.domain.runs import RunStatus, StepStatus
from redflare.services.recovery import INTERRUPTED, recover_runs
from redflare.services.run_start import start_run
from redflare.services.runs import run_resource
from redflare.services.workflows import checked_document, save_draft_by_name
from tests.factories import SELECT_DEMO, T0, add_conversations, make_runner, step, workflow

FLOW = workflow(SELECT_DEMO, step("worst", "sort", ["pick"], by=[{"field": "started_at", "direction": "asc"}]))


def two_runs(store: Store) -> tuple[str, str]:
    """A run left queued, and one left running with its first step running (the server stopped)."""
    with store.transaction() as session:
        document = checked_document(session, FLOW)
        stored = save_draft_by_name(session, document, now=T0)
        queued = start_run(session, workflow_id=stored.id, document=document, version=None, now=T0).id
        cut_off = start_run(session, workflow_id=stored.id, document=document, version=None, now=T0).id
        transition_run(session, run_id=cut_off, to=RunStatus.RUNNING, now=T0)
        transition_step(session, run_id=cut_off, step_id="pick", to=StepStatus.RUNNING, now=T0)
    return queued, cut_off


def test_queued_runs_are_handed_over_and_cut_off_runs_fail_with_the_reason(store: Store) -> None:
    add_conversations(store, 4)
    runner = make_runner(store)
    queued, cut_off = two_runs(store)

    handed = recover_runs(store, runner.clock)

    assert handed == [queued]
    with store.read() as session:
        left = run_resource(session, cut_off)
    assert (left["status"], left["error"]) == ("failed", INTERRUPTED)
    assert {s["id"]: (s["status"], s["error"]) for s in left["steps"]} == {
        "pick": ("failed", INTERRUPTED),
        "worst": ("pending", None),
    }
    assert recover_runs(store, runner.clock) == [queued]  # a second start changes nothing more

    assert runner.execute(queued)["status"] == "completed"
    rerun = runner.execute(cut_off)  # the engine re-runs a failed run from its failed step
    assert rerun["status"] == "completed"
    assert [s["rows_out"] for s in rerun["steps"]] == [4, 4]


def test_emails_a_dead_servers_deliverer_was_sending_are_due_again_at_once(store: Store) -> None:
    """A claim of the dead server's deliverer would hold its email back until the lease ran out (minutes); the
    interrupted run's emails go back to pending, due now; a finished run's sent email is left alone."""
    add_conversations(store, 2)
    _, cut_off = two_runs(store)
    lease_end = T0 + timedelta(hours=1)
    with store.transaction() as session:
        add_messages(
            session,
            run_id=cut_off,
            workflow_id=session.get(Run, cut_off).workflow_id,  # type: ignore[union-attr]
            step_id="pick",
            messages=[
                OutgoingMessage(("qa@example.com",), "going", "t"),
                OutgoingMessage(("qa@example.com",), "gone", "t"),
            ],
            status=MessageStatus.PENDING,
            reason=None,
            now=T0,
        )
        going, gone = session.scalars(select(OutboxMessage).order_by(OutboxMessage.seq)).all()
        going.status, going.claimed_until = str(MessageStatus.SENDING), lease_end
        gone.status = str(MessageStatus.SENT)
    later = FixedClock(T0 + timedelta(minutes=1))
    recover_runs(store, later)
    with store.read() as session:
        rows = {
            m.subject: (m.status, m.claimed_until, m.next_attempt_at) for m in session.scalars(select(OutboxMessage))
        }
    status, claimed_until, due = rows["going"]
    assert (status, claimed_until) == ("pending", None)
    assert due is not None
    assert due.replace(tzinfo=None) == later.now().replace(tzinfo=None)
    assert rows["gone"][0] == "sent"
