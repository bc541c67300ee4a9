"""The impact preview: a dry run whose figures match what a real run then does, and which writes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update

from redflare.adapters.db.orm import Base, Conversation, Workflow, WorkflowVersion
from redflare.adapters.db.store import Store
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.domain.access import Role
from redflare.domain.loading import document_from_data
from redflare.services.budget import CALL_LIMIT, CREDITS_LIMIT
from redflare.services.estimate import estimate_workflow
from redflare.services.estimate_results import Estimate, VersionEstimate
from redflare.services.execution import Runner
from redflare.services.run_start import start_run
from redflare.services.users import Principal, create_user, principal_of
from redflare.services.workflows import save_draft_by_name
from tests.factories import PROCESS, SELECT_DEMO, T0, TEAMS, add_conversations, make_runner, step, workflow

PRICE = load_builtin_pipelines()["default-qa"].prices
LOW = step(
    "low",
    "filter",
    ["analyse"],
    condition={"combinator": "and", "rules": [{"field": "score", "operator": "<", "value": 70}]},
)
SPLIT = step(
    "split",
    "distribute",
    ["analyse"],
    mode="percentage",
    groups=[{"name": "A", "share": 50}, {"name": "B", "share": 30}, {"name": "C", "share": 20}],
    seed=7,
)


def admin(store: Store) -> Principal:
    with store.transaction() as session:
        user, _ = create_user(session, email="boss@example.com", role=Role.ADMIN, password="long enough", now=T0)
        return principal_of(user)


def save(store: Store, runner: Runner, data: dict[str, Any], *, created_by: str | None = None) -> str:
    with store.transaction() as session:
        document = document_from_data(data)
        return save_draft_by_name(session, document, now=runner.clock.now(), created_by=created_by).id


def estimate(store: Store, principal: Principal, workflow_id: str, now: datetime) -> Estimate:
    with store.transaction() as session:
        return estimate_workflow(session, principal=principal, workflow_id=workflow_id, now=now)


def steps_of(figures: VersionEstimate) -> dict[str, Any]:
    return {s.id: s for s in figures.steps}


def run_steps(resource: dict[str, Any]) -> dict[str, Any]:
    return {s["id"]: s for s in resource["steps"]}


def row_counts(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables
        }


class TestEstimateMatchesRuns:
    def test_credits_and_counts_before_processing(self, store: Store) -> None:
        """Before anything is analysed, every selected conversation is to be charged the pipeline's price."""
        add_conversations(store, 10)
        runner = make_runner(store)
        workflow_id = save(store, runner, workflow(SELECT_DEMO, PROCESS, LOW, SPLIT))
        figures = estimate(store, admin(store), workflow_id, runner.clock.now()).draft
        steps = steps_of(figures)
        assert (figures.conversations, figures.to_process, figures.reused) == (10, 10, 0)
        assert figures.credits == 10 * PRICE.analysis_per_conversation
        assert steps["analyse"].awaiting_analysis == 10
        # Scores are unknown: a filter on score keeps none for sure, and all ten are undecided.
        assert (steps["low"].rows_out, steps["low"].undecided) == (0, 10)
        # Distribute's split depends only on the count: exact before any score exists.
        assert steps["split"].outputs == {"A": 5, "B": 3, "C": 2}

        resource = runner.run_workflow(workflow_id)
        ran = run_steps(resource)
        assert Decimal(str(resource["credits"])) == figures.credits
        assert resource["conversations_processed"] == figures.processed
        assert ran["split"]["outputs"] == steps["split"].outputs

    def test_after_a_run_results_are_reused_and_figures_exact(self, store: Store) -> None:
        """Once processed, the estimate charges nothing and its filter and split match the run's exactly."""
        add_conversations(store, 9)
        runner = make_runner(store)
        workflow_id = save(store, runner, workflow(SELECT_DEMO, PROCESS, LOW, SPLIT))
        ran = run_steps(runner.run_workflow(workflow_id))
        figures = estimate(store, admin(store), workflow_id, runner.clock.now()).draft
        steps = steps_of(figures)
        assert (figures.reused, figures.to_process, figures.credits) == (9, 0, Decimal(0))
        assert steps["low"].rows_out == ran["low"]["rows_out"]
        assert steps["low"].undecided == steps["low"].awaiting_analysis == 0
        assert steps["split"].outputs == ran["split"]["outputs"]

    def test_call_limit_cuts_in_where_the_run_stops(self, store: Store) -> None:
        """A call limit of 5: the estimate says the run processes 4 (its firing is a call), and the run does."""
        add_conversations(store, 12)
        runner = make_runner(store)
        workflow_id = save(store, runner, workflow(SELECT_DEMO, PROCESS, settings={"call_limit": 5}))
        figures = estimate(store, admin(store), workflow_id, runner.clock.now()).draft
        assert figures.limits is not None
        assert figures.limits.call_limit is not None
        assert (figures.limits.cuts_in, figures.limits.call_limit.stops_after) == (CALL_LIMIT, 4)
        processing = steps_of(figures)["analyse"].processing
        assert processing is not None
        assert (processing.processed, processing.left_unprocessed, processing.stopped_by) == (4, 8, CALL_LIMIT)
        assert runner.run_workflow(workflow_id)["conversations_processed"] == processing.processed

    def test_credits_limit_cuts_in_where_the_run_stops(self, store: Store) -> None:
        """A credits limit crossed mid-run: the estimate's processed count and credits match the run's."""
        add_conversations(store, 12)
        runner = make_runner(store)
        limit = PRICE.analysis_per_conversation * Decimal("3.5")
        workflow_id = save(store, runner, workflow(SELECT_DEMO, PROCESS, settings={"credits_limit": str(limit)}))
        figures = estimate(store, admin(store), workflow_id, runner.clock.now()).draft
        assert figures.limits is not None
        assert figures.limits.credits_limit is not None
        assert figures.limits.cuts_in == CREDITS_LIMIT
        assert figures.credits_without_limits == 12 * PRICE.analysis_per_conversation
        resource = runner.run_workflow(workflow_id)
        assert resource["conversations_processed"] == figures.processed == figures.limits.credits_limit.stops_after
        assert Decimal(str(resource["credits"])) == figures.credits

    def test_recordings_pay_for_transcription(self, store: Store) -> None:
        """A 61-second recording costs the analysis plus 1.1 minutes of transcription; a chat only the analysis, and
        so does a recording imported with its turns (nothing to transcribe)."""
        ids = add_conversations(store, 3)
        with store.transaction() as session:
            session.execute(
                update(Conversation).where(Conversation.id == ids[0]).values(audio="a.wav", duration_s=61.0, turns=[])
            )
            session.execute(
                update(Conversation).where(Conversation.id == ids[1]).values(audio="b.wav", duration_s=600.0)
            )
        runner = make_runner(store)
        workflow_id = save(store, runner, workflow(SELECT_DEMO, PROCESS))
        figures = estimate(store, admin(store), workflow_id, runner.clock.now()).draft
        transcription = PRICE.transcription_per_audio_minute * Decimal(11) / 10
        assert figures.credits == 3 * PRICE.analysis_per_conversation + transcription


class TestEstimateWorkflow:
    def test_nothing_is_written(self, store: Store) -> None:
        """An estimate leaves every table as it was, even with a run's results and calls on record."""
        add_conversations(store, 8)
        runner = make_runner(store)
        workflow_id = save(store, runner, workflow(SELECT_DEMO, PROCESS, LOW, settings={"call_limit": 100}))
        runner.run_workflow(workflow_id)
        add_conversations(store, 4, prefix="new")
        principal = admin(store)
        before = row_counts(store)
        figures = estimate(store, principal, workflow_id, runner.clock.now()).draft
        assert (figures.reused, figures.to_process) == (8, 4)
        assert row_counts(store) == before

    def test_selection_acts_with_the_creators_rules(self, store: Store) -> None:
        """A workflow made by a Billing-only editor selects Billing's conversations only, whoever asks."""
        add_conversations(store, 10)
        runner = make_runner(store)
        with store.transaction() as session:
            editor, _ = create_user(
                session, email="ed@example.com", role=Role.EDITOR, password="long enough", now=T0, teams=[TEAMS[0]]
            )
            editor_id = editor.id
        workflow_id = save(store, runner, workflow(SELECT_DEMO), created_by=editor_id)
        with store.transaction() as session:
            billing = session.scalar(
                select(func.count()).select_from(Conversation).where(Conversation.team == TEAMS[0])
            )
        assert estimate(store, admin(store), workflow_id, runner.clock.now()).draft.conversations == billing

    def test_draft_beside_active_version(self, store: Store) -> None:
        """The answer holds the draft's figures and the active version's, each from its own steps."""
        add_conversations(store, 10)
        runner = make_runner(store)
        pick = step("pick", "select_conversations", source={"integration": "demo"}, limit=6)
        workflow_id = save(store, runner, workflow(pick))
        with store.transaction() as session:
            session.add(WorkflowVersion(workflow_id=workflow_id, number=1, definition=workflow(pick), created_at=T0))
            row = session.get(Workflow, workflow_id)
            assert row is not None
            row.active_version, row.status = 1, "live"
            row.draft = workflow(step("pick", "select_conversations", source={"integration": "demo"}, limit=3))
        found = estimate(store, admin(store), workflow_id, runner.clock.now())
        assert found.active is not None
        assert (found.draft.version, found.draft.conversations) == (None, 3)
        assert (found.active.version, found.active.conversations) == (1, 6)

    def test_a_draft_with_issues_is_not_estimated(self, store: Store) -> None:
        """A draft Final checks find issues in answers those issues, each on its node, and no figures."""
        runner = make_runner(store)
        workflow_id = save(store, runner, {"name": "Half built", "steps": [PROCESS]})
        draft = estimate(store, admin(store), workflow_id, runner.clock.now()).draft
        assert draft.issues
        assert draft.steps == []
        assert {"trigger", "analyse"} <= {issue.node for issue in draft.issues}

    def test_a_failing_step_skips_the_steps_after_it(self, store: Store) -> None:
        """A published version whose pipeline is gone shows that step's error and skips what follows."""
        add_conversations(store, 3)
        runner = make_runner(store)
        gone = step("analyse", "process_conversations", ["pick"], pipeline="retired")
        definition = workflow(SELECT_DEMO, gone, {**LOW, "after": ["analyse"]})
        workflow_id = save(store, runner, workflow(SELECT_DEMO))
        with store.transaction() as session:
            session.add(WorkflowVersion(workflow_id=workflow_id, number=1, definition=definition, created_at=T0))
            row = session.get(Workflow, workflow_id)
            assert row is not None
            row.active_version = 1
        active = estimate(store, admin(store), workflow_id, runner.clock.now()).active
        assert active is not None
        statuses = {s.id: (s.status, s.error is not None) for s in active.steps}
        assert statuses == {"pick": ("estimated", False), "analyse": ("failed", True), "low": ("skipped", False)}

    def test_a_damaged_version_is_answered_step_by_step(self, store: Store) -> None:
        """A stored version with a connection to no port and a cycle gets errors and skips, not a crash."""
        runner = make_runner(store)
        condition = {"combinator": "and", "rules": [{"field": "team", "operator": "=", "value": "Billing"}]}
        definition = workflow(
            SELECT_DEMO,
            step("stray", "filter", ["pick.nope"], condition=condition),
            step("one", "filter", ["two"], condition=condition),
            step("two", "filter", ["one"], condition=condition),
        )
        workflow_id = save(store, runner, workflow(SELECT_DEMO))
        with store.transaction() as session:
            session.add(WorkflowVersion(workflow_id=workflow_id, number=1, definition=definition, created_at=T0))
            row = session.get(Workflow, workflow_id)
            assert row is not None
            row.active_version = 1
        active = estimate(store, admin(store), workflow_id, runner.clock.now()).active
        assert active is not None
        assert [(s.id, s.status) for s in active.steps] == [
            ("pick", "estimated"),
            ("stray", "failed"),
            ("one", "skipped"),
            ("two", "skipped"),
        ]

    def test_sync_conversations_are_those_imported_lately(self, store: Store) -> None:
        """After a Sync Completed trigger, the estimate stands in the last 24 hours' imports for the sync."""
        add_conversations(store, 5)  # imported at T0
        runner = make_runner(store)
        data = {**workflow(step("pick", "select_conversations")), "trigger": {"type": "sync_completed"}}
        workflow_id = save(store, runner, data)
        principal = admin(store)
        assert estimate(store, principal, workflow_id, T0 + timedelta(hours=2)).draft.conversations == 5
        assert estimate(store, principal, workflow_id, T0 + timedelta(days=2)).draft.conversations == 0

    def test_run_of_the_same_document_selects_the_same(self, store: Store) -> None:
        """The estimate's selection is the run's: same count for a capped, filtered pick."""
        add_conversations(store, 20)
        runner = make_runner(store)
        condition = {"combinator": "and", "rules": [{"field": "agent", "operator": "!=", "value": "Sam Lee"}]}
        pick = step("pick", "select_conversations", source="all", filter=condition, limit=9, order="oldest")
        workflow_id = save(store, runner, workflow(pick))
        figures = estimate(store, admin(store), workflow_id, runner.clock.now()).draft
        with store.transaction() as session:
            document = document_from_data(workflow(pick))
            run_id = start_run(session, workflow_id=workflow_id, document=document, version=None, now=T0).id
        assert run_steps(runner.execute(run_id))["pick"]["rows_out"] == figures.conversations
