"""On start, a server takes over what the last one left: queued runs are handed to the engine, runs cut off
mid-way fail with the reason and re-run to completion from their failed step."""

from __future__ import annotations

from redflare.adapters.db.runs import transition_run, transition_step
from redflare.adapters.db.store import Store
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
