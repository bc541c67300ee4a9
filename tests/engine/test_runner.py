"""The engine end to end on a real store: steps, joins, the ledger, limits, cancellation, failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from redflare.adapters.db.batches import SqlConversations
from redflare.adapters.db.orm import AnalysisResult, Charge, Pipeline, Run, Workflow
from redflare.adapters.db.store import Store
from redflare.analysis.analyse import analyse_batch
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.domain.access import EVERYTHING, Role
from redflare.domain.errors import InvalidWorkflow
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.services import audit, lifecycle
from redflare.services.run_start import start_run
from redflare.services.runs import cancel_run, list_runs
from redflare.services.users import Principal
from redflare.services.workflows import checked_document, save_draft_by_name
from redflare.steps.context import Batch, InFlight
from tests.factories import PROCESS, SELECT_DEMO, T0, add_conversations, make_runner, step, workflow


def steps_by_id(resource: dict[str, object]) -> dict[str, dict[str, object]]:
    return {s["id"]: s for s in resource["steps"]}  # type: ignore[attr-defined, index]


def charges(store: Store) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Charge)) or 0)


class TestEndToEnd:
    def test_appendix_a_shape_runs_to_completion(self, store: Store) -> None:
        """select → process → filter → sort, and distribute: every step completes with consistent counts."""
        ids = add_conversations(store, 12)
        runner = make_runner(store)
        resource = runner.run_document(
            workflow(
                SELECT_DEMO,
                PROCESS,
                step(
                    "low",
                    "filter",
                    ["analyse"],
                    condition={"rules": [{"field": "score", "operator": "<", "value": 70}]},
                ),
                step("worst", "sort", ["low"], by=[{"field": "score", "direction": "asc"}], limit=3),
                step(
                    "split",
                    "distribute",
                    ["analyse"],
                    mode="percentage",
                    groups=[{"name": "A", "share": 50}, {"name": "B", "share": 50}],
                ),
            )
        )
        assert resource["status"] == "completed"
        steps = steps_by_id(resource)
        assert all(s["status"] == "completed" for s in steps.values())
        assert steps["pick"]["rows_out"] == len(ids)
        assert steps["analyse"]["rows_out"] == len(ids)
        assert steps["analyse"]["tally"]["processed"] == len(ids)
        assert resource["conversations_processed"] == len(ids)
        assert resource["credits"] == pytest.approx(float(len(ids)))  # default-qa: 1 credit per chat
        rude = len([i for i in range(12) if i % 3 == 0])
        assert steps["low"]["rows_out"] == rude  # the rude chats score low, the polite ones do not
        assert steps["worst"]["rows_out"] == 3
        assert steps["split"]["outputs"] == {"A": 6, "B": 6}

    def test_branches_side_by_side_always_finish(self, store: Store) -> None:
        """Four groups of a Distribute, each sorted in its own thread at the same time, run after run: every run
        completes with every conversation in one group (two step threads keeping their sets at once once
        deadlocked inside polars, which called back into Python for its writes)."""
        add_conversations(store, 12)
        groups = ["A", "B", "C", "D"]
        document = workflow(
            SELECT_DEMO,
            step("split", "distribute", ["pick"], mode="round_robin", groups=[{"name": g} for g in groups]),
            *(
                step(f"by-{g.lower()}", "sort", [f"split.{g}"], by=[{"field": "id", "direction": "asc"}])
                for g in groups
            ),
        )
        runner = make_runner(store)
        for attempt in range(15):
            pool = ThreadPoolExecutor(1)  # a hang fails the test instead of stalling the suite
            try:
                resource = pool.submit(runner.run_document, document).result(timeout=60)
            finally:
                pool.shutdown(wait=False)
            steps = steps_by_id(resource)
            assert resource["status"] == "completed", f"run {attempt + 1}: {resource.get('error')}"
            assert sum(steps[f"by-{g.lower()}"]["rows_out"] for g in groups) == 12  # type: ignore[misc]

    def test_join_waits_for_both_inputs_and_unions_them(self, store: Store) -> None:
        """A step fed by two branches gets each conversation once."""
        add_conversations(store, 8)
        resource = make_runner(store).run_document(
            workflow(
                SELECT_DEMO,
                PROCESS,
                step(
                    "billing",
                    "filter",
                    ["analyse"],
                    condition={"rules": [{"field": "team", "operator": "=", "value": "Billing"}]},
                ),
                step(
                    "vip",
                    "filter",
                    ["analyse"],
                    condition={"rules": [{"field": "tags", "operator": "contains", "value": "vip"}]},
                ),
                step("both", "sort", ["billing", "vip"], by=[{"field": "id", "direction": "asc"}]),
            )
        )
        steps = steps_by_id(resource)
        billing = {i for i in range(8) if i % 2 == 0}
        vip = {i for i in range(8) if i % 5 == 0}
        assert steps["both"]["rows_in"] == len(billing | vip)
        assert steps["both"]["status"] == "completed"


class TestTriggerInput:
    def test_a_step_hung_off_a_sync_trigger_gets_the_synced_conversations(self, store: Store) -> None:
        """After Sync Completed, a step with no upstream works on exactly what the sync brought."""
        add_conversations(store, 6)
        document = workflow(PROCESS | {"after": []})
        document["trigger"] = {"type": "sync_completed", "integration": "demo"}
        resource = make_runner(store).run_document(document, payload={"conversation_ids": ["c-00001", "c-00004"]})
        analyse = steps_by_id(resource)["analyse"]
        assert analyse["rows_in"] == 2
        assert analyse["tally"]["processed"] == 2


class TestNeverBillTwice:
    def test_second_run_reuses_stored_results(self, store: Store) -> None:
        """Running the same selection again re-analyses nothing and charges nothing."""
        add_conversations(store, 6)
        runner = make_runner(store)
        document = workflow(SELECT_DEMO, PROCESS)
        first = runner.run_document(document)
        second = runner.run_document(document)
        assert first["credits"] == pytest.approx(6.0)
        assert second["credits"] == 0.0
        assert steps_by_id(second)["analyse"]["tally"] == {
            "processed": 0,
            "reused": 6,
            "skipped_by_limit": 0,
            "failed": 0,
        }
        assert steps_by_id(second)["analyse"]["rows_out"] == 6
        assert charges(store) == 6

    def test_reprocess_analyses_and_charges_again(self, store: Store) -> None:
        """With reprocess set, stored results are replaced and the work is paid for."""
        add_conversations(store, 4)
        runner = make_runner(store)
        runner.run_document(workflow(SELECT_DEMO, PROCESS))
        again = step("analyse", "process_conversations", ["pick"], pipeline="default-qa", reprocess=True)
        second = runner.run_document(workflow(SELECT_DEMO, again))
        assert second["credits"] == pytest.approx(4.0)
        assert charges(store) == 8
        with store.transaction() as session:
            assert session.scalar(select(func.count()).select_from(AnalysisResult)) == 4


ADMIN = Principal(user_id="u-admin", email="admin@example.com", role=Role.ADMIN, access=EVERYTHING)


class TestLimits:
    def test_a_run_without_a_limit_reached_has_no_limit_stop(self, store: Store) -> None:
        add_conversations(store, 3)
        resource = make_runner(store).run_document(workflow(SELECT_DEMO, PROCESS, settings={"call_limit": 50}))
        assert resource["limit_stop"] is None
        assert "stopped_by" not in steps_by_id(resource)["analyse"]["tally"]

    def test_call_limit_stops_processing_mid_run(self, store: Store) -> None:
        """The firing is one call; the rest of the allowance is spent on conversations, then processing stops."""
        add_conversations(store, 10)
        resource = make_runner(store, batch_size=3).run_document(
            workflow(SELECT_DEMO, PROCESS, settings={"call_limit": 5})
        )
        tally = steps_by_id(resource)["analyse"]["tally"]
        assert tally["processed"] == 4
        assert tally["skipped_by_limit"] == 6
        assert tally["stopped_by"] == "call_limit"
        assert resource["status"] == "completed"
        assert "call limit" in " ".join(tally["notes"])
        # Cut short, and it says so on the run itself (the runs list, the run page, the CLI read this).
        assert resource["limit_stop"] == {
            "limit": "call_limit",
            "left": 6,
            "message": "Stopped by the call limit: 6 conversations left unprocessed.",
        }
        with store.read() as session:
            workflow_id = session.scalar(select(Workflow.id))
            assert workflow_id is not None
            [listed] = list_runs(session, principal=ADMIN, workflow_id=workflow_id, limit=10, offset=0).data
        assert listed["limit_stop"] == resource["limit_stop"]

    def test_credits_limit_stops_and_pauses_the_workflow(self, store: Store) -> None:
        """Once spending reaches the credits limit no new work starts and the live workflow pauses through its
        lifecycle: "reached" at the limit, credits to 2 places, and an audit entry by RedFlare itself."""
        add_conversations(store, 10)
        runner = make_runner(store, batch_size=2)
        with store.transaction() as session:
            document = checked_document(session, workflow(SELECT_DEMO, PROCESS, settings={"credits_limit": 3}))
            workflow_id = save_draft_by_name(session, document, now=T0).id
            lifecycle.publish(session, principal=ADMIN, workflow_id=workflow_id, now=T0)
        resource = runner.run_workflow(workflow_id)
        tally = steps_by_id(resource)["analyse"]["tally"]
        assert tally["processed"] == 3
        assert resource["limit_stop"] == {
            "limit": "credits_limit",
            "left": 7,
            "message": "Stopped by the credits limit: 7 conversations left unprocessed.",
        }
        assert resource["credits"] == pytest.approx(3.0)
        with store.transaction() as session:
            stored = session.get(Workflow, workflow_id)
            assert stored is not None
            assert (stored.status, stored.paused_reason) == (
                "paused",
                "Paused automatically: credits limit of 3.00 reached (3.00 spent).",
            )
            [entry] = [e for e in audit.entries(session, workflow_id=workflow_id) if e.action == "auto_pause"]
            assert (entry.user_email, entry.detail["reason"]) == (None, stored.paused_reason)


class CancellingExecutor:
    """Inline analysis with a hook between batches, to act while a run is in the middle of its work."""

    def __init__(self, hook: Callable[[int], None], *, before_yield: bool = False) -> None:
        self.hook = hook
        self.before_yield = before_yield
        self.batches_started = 0

    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[Batch], in_flight: InFlight | None = None
    ) -> Iterator[list[AnalysisOutcome]]:
        for batch in batches:
            self.batches_started += 1
            outcomes = analyse_batch(pipeline, batch.conversations())
            if self.before_yield:
                self.hook(self.batches_started)
            yield outcomes
            if not self.before_yield:
                self.hook(self.batches_started)


class TestCancellation:
    def test_cancel_stops_new_batches_and_spending(self, store: Store) -> None:
        """After the cancel returns no batch starts and no credit is spent."""
        add_conversations(store, 12)
        runner = make_runner(store, batch_size=3)
        cancelled_after: list[int] = []

        def cancel_after_first(batch: int) -> None:
            if batch == 1:
                with store.transaction() as session:
                    running = session.scalar(select(Run.id).where(Run.status == "running"))
                    assert running is not None
                    cancel_run(session, running, now=runner.clock.now())
                cancelled_after.append(batch)

        executor = CancellingExecutor(cancel_after_first)
        runner.executor = executor
        resource = runner.run_document(
            workflow(
                SELECT_DEMO, PROCESS, step("after", "sort", ["analyse"], by=[{"field": "score", "direction": "asc"}])
            )
        )
        assert cancelled_after == [1]
        assert executor.batches_started == 1
        assert resource["status"] == "cancelled"
        assert resource["credits"] == pytest.approx(3.0)
        assert charges(store) == 3
        assert steps_by_id(resource)["analyse"]["status"] == "cancelled"
        assert steps_by_id(resource)["analyse"]["credits"] == pytest.approx(3.0)  # what it spent before the cancel
        assert steps_by_id(resource)["after"]["status"] == "cancelled"

    def test_a_batch_finishing_after_the_cancel_is_not_charged(self, store: Store) -> None:
        """Work that was in flight when the cancel landed is thrown away, not billed."""
        add_conversations(store, 6)
        runner = make_runner(store, batch_size=3)

        def cancel_in_flight(batch: int) -> None:
            if batch == 2:
                with store.transaction() as session:
                    running = session.scalar(select(Run.id).where(Run.status == "running"))
                    assert running is not None
                    cancel_run(session, running, now=runner.clock.now())

        runner.executor = CancellingExecutor(cancel_in_flight, before_yield=True)
        resource = runner.run_document(workflow(SELECT_DEMO, PROCESS))
        assert resource["status"] == "cancelled"
        assert charges(store) == 3
        with store.transaction() as session:
            assert session.scalar(select(func.count()).select_from(AnalysisResult)) == 3


class TestFailures:
    def test_a_failing_step_fails_the_run_and_skips_downstream(self, store: Store) -> None:
        """A step that fails records its error; what depends on it is skipped, other branches finish."""
        add_conversations(store, 3)
        runner = make_runner(store)
        # Validation cannot see a pipeline archived after the run was queued; archive it in between.
        document = workflow(
            SELECT_DEMO,
            PROCESS,
            step("sorted", "sort", ["analyse"], by=[{"field": "score", "direction": "asc"}]),
            step("other", "sort", ["pick"], by=[{"field": "id", "direction": "asc"}]),
        )
        with store.transaction() as session:
            checked = checked_document(session, document)
            stored = save_draft_by_name(session, checked, now=runner.clock.now())
            run = start_run(session, workflow_id=stored.id, document=checked, version=None, now=runner.clock.now())
            session.execute(Pipeline.__table__.update().values(archived=True))
        resource = runner.execute(run.id)
        steps = steps_by_id(resource)
        assert resource["status"] == "failed"
        assert steps["analyse"]["status"] == "failed"
        assert "default-qa" in steps["analyse"]["error"]
        assert steps["sorted"]["status"] == "skipped"
        assert steps["other"]["status"] == "completed"
        assert resource["error"] == "step 'analyse' failed"

    def test_invalid_document_is_refused_and_nothing_stored(self, store: Store) -> None:
        """A document with issues lists them all and leaves the store as it was."""
        runner = make_runner(store)
        bad = workflow(
            step("pick", "select_conversations", source={"integration": "nowhere"}),
            step("analyse", "process_conversations", ["pick"], pipeline="no-such-pipeline"),
            step("low", "filter", ["ghost"], condition={"rules": [{"field": "scoer", "operator": "<", "value": 1}]}),
        )
        with pytest.raises(InvalidWorkflow) as caught:
            runner.run_document(bad)
        paths = {issue.path for issue in caught.value.issues}
        assert "steps[0].config.source.integration" in paths
        assert "steps[1].config.pipeline" in paths
        assert "steps[2].after[0]" in paths
        with store.transaction() as session:
            assert session.scalar(select(func.count()).select_from(Workflow)) == 0
            assert session.scalar(select(func.count()).select_from(Run)) == 0


class TestProcessPool:
    def test_pool_gives_the_same_results_as_inline(self, store: Store) -> None:
        """Spreading batches over processes changes nothing in the answers."""
        add_conversations(store, 9)
        pool = ProcessPoolAnalysisExecutor(2)
        try:
            parallel = make_runner(store, pool, batch_size=2).run_document(workflow(SELECT_DEMO, PROCESS))
        finally:
            pool.close()
        with store.transaction() as session:
            pooled = {
                row[0]: row[1] for row in session.execute(select(AnalysisResult.conversation_id, AnalysisResult.score))
            }
        conversations = SqlConversations(store.sessions).load(sorted(pooled))
        inline = {
            o.conversation_id: o.score for o in analyse_batch(load_builtin_pipelines()["default-qa"], conversations)
        }
        assert parallel["status"] == "completed"
        assert parallel["credits"] == pytest.approx(9.0)
        assert pooled == inline
