"""Pipelines as data: versions, validation, archiving, and what a price change does to runs and selections."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import AnalysisResult, AuditEntry, Pipeline, PipelineVersion
from redflare.adapters.db.pipelines import get_pipeline, pipeline_criteria
from redflare.adapters.db.selection import SqlConversationSource
from redflare.adapters.db.store import Store
from redflare.domain.access import EVERYTHING, Role
from redflare.domain.errors import Conflict, InvalidInput, NotFound
from redflare.services import pipelines
from redflare.services.users import Principal
from redflare.steps.context import Selection
from tests.factories import PROCESS, SELECT_DEMO, T0, add_conversations, make_runner, step, workflow

EDITOR = Principal(user_id="u-ed", email="ed@example.com", role=Role.EDITOR, access=EVERYTHING)
GREETING = {"name": "greeting", "kind": "phrase_said", "phrases": ["hello"], "speaker": "agent"}


def definition(name: str = "short-qa", **changes: Any) -> dict[str, Any]:
    return {"name": name, "description": "Greeting only", "scorecard": [GREETING], **changes}


def versions(store: Store, name: str) -> list[int]:
    with store.transaction() as session:
        return [v.number for v in pipelines.pipeline_detail(session, name).versions]


class TestVersions:
    def test_create_then_edit_makes_version_two_and_identical_makes_none(self, store: Store) -> None:
        with store.transaction() as session:
            created = pipelines.create_pipeline(session, principal=EDITOR, data=definition(version=7), now=T0)
        assert (created.version, [v.number for v in created.versions]) == (1, [1])  # the server numbers versions
        assert created.versions[0].created_by == EDITOR.email
        with store.transaction() as session:
            edited, changed = pipelines.update_pipeline(
                session, principal=EDITOR, name="short-qa", data=definition(description="Now with more"), now=T0
            )
        assert changed
        assert (edited.version, edited.description) == (2, "Now with more")
        with store.transaction() as session:
            # The same definition again, its price written as 1.0 instead of the default 1: no new version.
            same = definition(description="Now with more", prices={"analysis_per_conversation": 1.0})
            again, changed = pipelines.update_pipeline(session, principal=EDITOR, name="short-qa", data=same, now=T0)
        assert not changed
        assert again.version == 2
        assert versions(store, "short-qa") == [1, 2]
        with store.transaction() as session:
            first = pipelines.version_detail(session, "short-qa", 1)
            assert (first.description, first.version) == ("Greeting only", 1)
            assert get_pipeline(session, "short-qa")[1].version == 2  # what the next run uses
            actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions == [pipelines.CREATED, pipelines.EDITED]

    def test_a_taken_name_conflicts(self, store: Store) -> None:
        make_runner(store)  # seeds default-qa
        with store.transaction() as session, pytest.raises(Conflict):
            pipelines.create_pipeline(session, principal=EDITOR, data=definition("default-qa"), now=T0)

    def test_bad_input_lists_every_problem_by_path_and_stores_nothing(self, store: Store) -> None:
        bad = definition(
            scorecard=[
                {**GREETING, "phrases": []},
                {"name": "greeting", "kind": "duration_range", "min_s": 60, "max_s": 30},
                {"name": "Bad Name", "kind": "phrase_said", "phrases": ["x"]},
            ],
            prices={"analysis_per_conversation": -1},
        )
        with store.transaction() as session, pytest.raises(InvalidInput) as raised:
            pipelines.create_pipeline(session, principal=EDITOR, data=bad, now=T0)
        paths = {issue.path for issue in raised.value.issues}
        assert {"scorecard[0].phrases", "scorecard[2].name", "prices.analysis_per_conversation"} <= paths
        # The model's own rules first; the cross-field ones once those pass.
        semantic = definition(
            scorecard=[GREETING, {"name": "greeting", "kind": "duration_range", "min_s": 60, "max_s": 30}],
            sentiment={"negative_below": 0.5, "positive_above": 0.1},
        )
        with store.transaction() as session, pytest.raises(InvalidInput) as raised:
            pipelines.create_pipeline(session, principal=EDITOR, data=semantic, now=T0)
        assert {i.path for i in raised.value.issues} == {
            "scorecard[1].name",
            "scorecard[1].max_s",
            "sentiment.positive_above",
        }
        with store.transaction() as session:
            assert session.scalar(select(Pipeline.id).where(Pipeline.name == "short-qa")) is None
            assert session.scalar(select(PipelineVersion.number)) is None

    def test_the_name_cannot_change(self, store: Store) -> None:
        with store.transaction() as session:
            pipelines.create_pipeline(session, principal=EDITOR, data=definition(), now=T0)
        with store.transaction() as session, pytest.raises(InvalidInput) as raised:
            pipelines.update_pipeline(session, principal=EDITOR, name="short-qa", data=definition("other"), now=T0)
        assert [i.path for i in raised.value.issues] == ["name"]


class TestArchive:
    def test_archived_is_gone_for_runs_and_checks_until_restored(self, store: Store) -> None:
        with store.transaction() as session:
            pipelines.create_pipeline(session, principal=EDITOR, data=definition(), now=T0)
            pipelines.set_pipeline_archived(session, principal=EDITOR, name="short-qa", archived=True, now=T0)
        with store.transaction() as session:
            assert "short-qa" not in [p.name for p in pipelines.list_pipelines(session)]
            listed = {p.name: p.archived for p in pipelines.list_pipelines(session, archived=True)}
            assert listed["short-qa"] is True
            assert "short-qa" not in pipeline_criteria(session)  # Final checks: "does not exist"
            with pytest.raises(NotFound):
                get_pipeline(session, "short-qa")  # what a run looks up
            assert pipelines.pipeline_detail(session, "short-qa").archived
        with store.transaction() as session:
            pipelines.set_pipeline_archived(session, principal=EDITOR, name="short-qa", archived=False, now=T0)
            assert get_pipeline(session, "short-qa")[1].version == 1


def price_of(store: Store, conversation_id: str) -> dict[int, Decimal]:
    with store.transaction() as session:
        rows = session.execute(
            select(AnalysisResult.pipeline_version, AnalysisResult.credits).where(
                AnalysisResult.conversation_id == conversation_id
            )
        )
        return {row[0]: row[1] for row in rows}


def selected(run: dict[str, Any]) -> int:
    rows: int = next(s for s in run["steps"] if s["id"] == "pick")["rows_out"]
    return rows


class TestPriceChange:
    def test_new_runs_pay_the_new_price_and_old_results_keep_theirs(self, store: Store) -> None:
        ids = add_conversations(store, 4)
        runner = make_runner(store)
        before = runner.run_document(workflow(SELECT_DEMO, PROCESS))
        assert before["credits"] == 4.0  # default-qa v1: 1 credit a conversation
        with store.transaction() as session:
            data = get_pipeline(session, "default-qa")[1].model_dump(mode="json")
            data["prices"]["analysis_per_conversation"] = "2.5"
            pipelines.update_pipeline(session, principal=EDITOR, name="default-qa", data=data, now=T0)

        unprocessed = step(
            "pick", "select_conversations", source={"integration": "demo"}, state="unprocessed", pipeline="default-qa"
        )
        after = runner.run_document(workflow(unprocessed, PROCESS, name="Fresh only"))
        # A new version: what v1 analysed is unprocessed again, analysed anew at the new price.
        assert (selected(after), after["credits"]) == (4, 10.0)
        assert price_of(store, ids[0]) == {1: Decimal("1"), 2: Decimal("2.5")}

    def test_any_version_counts_older_versions_results(self, store: Store) -> None:
        add_conversations(store, 3)
        runner = make_runner(store)
        runner.run_document(workflow(SELECT_DEMO, PROCESS))
        add_conversations(store, 2, prefix="new")
        with store.transaction() as session:
            data = get_pipeline(session, "default-qa")[1].model_dump(mode="json")
            data["description"] = "Edited"
            pipelines.update_pipeline(session, principal=EDITOR, name="default-qa", data=data, now=T0)

        def pick(**config: Any) -> int:
            picker = step(
                "pick", "select_conversations", source={"integration": "demo"}, pipeline="default-qa", **config
            )
            return selected(runner.run_document(workflow(picker, name=f"Pick {sorted(config.items())}")))

        assert pick(state="processed") == 0  # nothing by the current version yet
        assert pick(state="processed", any_version=True) == 3
        assert pick(state="unprocessed") == 5
        assert pick(state="unprocessed", any_version=True) == 2

        # Joined results under "any version": each conversation's newest stored result.
        frame = SqlConversationSource(store.sessions).select(
            Selection(pipeline="default-qa", state="processed", any_version=True, with_analysis=True)
        )
        assert frame["credits"].to_list() == [1.0, 1.0, 1.0]
        assert frame["score"].null_count() == 0
