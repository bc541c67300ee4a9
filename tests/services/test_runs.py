"""The runs service: Run now, cancel, re-run, visibility, the list, previews' JSON, and the live feed's reads."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from redflare.adapters.db.orm import Artifact, Call, RunEvent
from redflare.adapters.db.store import Store
from redflare.domain.access import Role
from redflare.domain.errors import IllegalTransition, InvalidWorkflow, NotFound
from redflare.domain.loading import document_from_data
from redflare.services import pipelines
from redflare.services.run_feed import feed_since, feed_start
from redflare.services.runs import cancel, json_safe, list_runs, rerun, run_detail, run_now, run_resource, visible_run
from redflare.services.users import Principal, create_user, principal_of
from redflare.services.workflows import save_draft_by_name
from redflare.sets import stored
from tests.factories import PROCESS, SELECT_DEMO, T0, add_conversations, make_runner, step, workflow

NOW = T0 + timedelta(days=30)


def user(store: Store, email: str, role: Role, **rules: list[str] | None) -> Principal:
    with store.transaction() as session:
        made, _ = create_user(session, email=email, role=role, password="long enough secret", now=NOW, **rules)
        return principal_of(made)


def draft(store: Store, owner: Principal, document: dict[str, Any]) -> str:
    with store.transaction() as session:
        return save_draft_by_name(session, document_from_data(document), now=NOW, created_by=owner.user_id).id


def calls(store: Store) -> int:
    with store.transaction() as session:
        return int(session.scalar(select(func.sum(Call.count))) or 0)


def pipeline_data(name: str) -> dict[str, Any]:
    greeting = {"name": "greeting", "kind": "phrase_said", "phrases": ["hello"], "speaker": "agent"}
    return {"name": name, "description": "Greeting only", "scorecard": [greeting]}


@pytest.fixture
def ana(store: Store) -> Principal:
    """An editor limited to the Billing team."""
    make_runner(store)  # the built-in pipelines
    return user(store, "ana@example.com", Role.EDITOR, teams=["Billing"])


class TestRunNow:
    def test_a_run_is_committed_queued(self, store: Store, ana: Principal) -> None:
        """Run now stores a queued run, readable at once elsewhere (the engine reads the creator's rules itself)."""
        add_conversations(store, 2)
        workflow_id = draft(store, ana, workflow(SELECT_DEMO))
        started = run_now(store, principal=ana, workflow_id=workflow_id, test=False, now=NOW)
        with store.read() as session:
            assert run_resource(session, started.run_id) == started.resource
        assert (started.resource["status"], started.resource["trigger"]) == (
            "queued",
            {"type": "manual", "payload": {}},
        )
        assert calls(store) == 1
        # Answered without reading the run back: a test run (its payload, another time zone) reads back the same.
        tested = run_now(
            store, principal=ana, workflow_id=workflow_id, test=True, now=NOW.astimezone(timezone(timedelta(hours=5)))
        )
        with store.read() as session:
            assert run_resource(session, tested.run_id) == tested.resource
        assert (tested.resource["number"], tested.resource["trigger"]["payload"]) == (2, {"sample": 100})

    def test_a_test_run_after_a_real_run_previews_a_sample_not_nothing(self, store: Store, ana: Principal) -> None:
        """Issue P8: after the first real run processed them, a test run of an "Unprocessed" selection selected 0.
        A test run previews the steps on a sample whatever the processed state; a real run still takes only the
        unprocessed ones."""
        add_conversations(store, 4)
        unprocessed = step(
            "pick", "select_conversations", source={"integration": "demo"}, state="unprocessed", pipeline="default-qa"
        )
        workflow_id = draft(store, ana, workflow(unprocessed, PROCESS))
        runner = make_runner(store)

        def picked(test: bool) -> int:
            started = run_now(store, principal=ana, workflow_id=workflow_id, test=test, now=NOW, sample=1)
            resource = runner.execute(started.run_id)
            return int(next(s for s in resource["steps"] if s["id"] == "pick")["rows_out"])

        assert picked(test=False) == 2  # the two of the four that Ana may see
        assert picked(test=False) == 0  # all processed now
        assert picked(test=True) == 1  # the sample

    def test_a_test_run_is_no_call(self, store: Store, ana: Principal) -> None:
        """A test run is marked as such and counts nothing against the call limit."""
        add_conversations(store, 2)
        workflow_id = draft(store, ana, workflow(SELECT_DEMO))
        started = run_now(store, principal=ana, workflow_id=workflow_id, test=True, now=NOW)
        assert started.resource["test"] is True
        assert calls(store) == 0

    def test_a_draft_with_issues_makes_no_run(self, store: Store, ana: Principal) -> None:
        """Final checks refuse the draft and nothing is stored."""
        add_conversations(store, 2)
        bad = step("analyse", "process_conversations", ["pick"], pipeline="nope")
        workflow_id = draft(store, ana, workflow(SELECT_DEMO, bad))
        with pytest.raises(InvalidWorkflow):
            run_now(store, principal=ana, workflow_id=workflow_id, test=False, now=NOW)
        with store.read() as session:
            assert list_runs(session, principal=ana, workflow_id=workflow_id, limit=10, offset=0).count == 0

    def test_final_checks_follow_the_draft_and_the_store_from_run_to_run(self, store: Store, ana: Principal) -> None:
        """The checks' verdict on a draft is kept between runs: a pipeline added, archived or restored, and the
        draft itself edited, each changes the next Run now's verdict at once."""
        add_conversations(store, 2)
        analyse = step("analyse", "process_conversations", ["pick"], pipeline="night-qa")
        workflow_id = draft(store, ana, workflow(SELECT_DEMO, analyse))

        def start() -> list[str]:
            """The issues' paths Run now refuses the draft with ([] when a run starts)."""
            try:
                run_now(store, principal=ana, workflow_id=workflow_id, test=False, now=NOW)
            except InvalidWorkflow as refused:
                return [issue.path for issue in refused.issues]
            return []

        refused = start()
        assert refused == ["steps[1].config.pipeline"]
        assert start() == refused  # the same verdict, twice
        with store.transaction() as session:
            pipelines.create_pipeline(session, principal=ana, data=pipeline_data("night-qa"), now=NOW)
        assert start() == []  # the pipeline now exists: the earlier verdict is not reused
        with store.transaction() as session:
            pipelines.set_pipeline_archived(session, principal=ana, name="night-qa", archived=True, now=NOW)
        assert start() == refused  # archived: refused again, though the draft passed a moment ago
        with store.transaction() as session:
            pipelines.set_pipeline_archived(session, principal=ana, name="night-qa", archived=False, now=NOW)
        assert start() == []
        draft(store, ana, workflow(SELECT_DEMO, {**analyse, "config": {"pipeline": "nope"}}))  # the same workflow
        assert start() == refused  # the edited draft is checked, not the one that passed
        with store.read() as session:
            assert list_runs(session, principal=ana, workflow_id=workflow_id, limit=10, offset=0).count == 2

    def test_someone_who_may_not_see_it_cannot_run_it(self, store: Store, ana: Principal) -> None:
        """A workflow made with wider rules than yours is NotFound."""
        add_conversations(store, 2)
        root = user(store, "root@example.com", Role.ADMIN)
        workflow_id = draft(store, root, workflow(SELECT_DEMO))
        with pytest.raises(NotFound):
            run_now(store, principal=ana, workflow_id=workflow_id, test=False, now=NOW)


class TestVisibleRun:
    def test_hidden_and_missing_runs_look_the_same(self, store: Store, ana: Principal) -> None:
        """A run of a workflow you may not see fails exactly like one that does not exist."""
        add_conversations(store, 2)
        root = user(store, "root@example.com", Role.ADMIN)
        run_id = run_now(
            store, principal=root, workflow_id=draft(store, root, workflow(SELECT_DEMO)), test=False, now=NOW
        ).run_id
        with store.read() as session:
            with pytest.raises(NotFound) as hidden:
                visible_run(session, ana, run_id)
            with pytest.raises(NotFound) as missing:
                visible_run(session, ana, "x" * 32)
            assert visible_run(session, root, run_id).id == run_id
        assert str(hidden.value) == str(missing.value).replace("x" * 32, run_id)


class TestCancelAndRerun:
    def test_cancelling_a_queued_run_cancels_its_steps(self, store: Store, ana: Principal) -> None:
        """A run cancelled before it started shows every step cancelled, not pending forever."""
        add_conversations(store, 2)
        started = run_now(
            store, principal=ana, workflow_id=draft(store, ana, workflow(SELECT_DEMO, PROCESS)), test=False, now=NOW
        )
        with store.transaction() as session:
            resource = cancel(session, principal=ana, run_id=started.run_id, now=NOW)
        assert resource["status"] == "cancelled"
        assert [s["status"] for s in resource["steps"]] == ["cancelled", "cancelled"]
        with store.transaction() as session, pytest.raises(IllegalTransition):
            cancel(session, principal=ana, run_id=started.run_id, now=NOW)

    def test_rerun_refuses_a_run_that_did_not_fail(self, store: Store, ana: Principal) -> None:
        """Only a failed run re-runs; a queued one is refused and left as it was."""
        add_conversations(store, 2)
        started = run_now(
            store, principal=ana, workflow_id=draft(store, ana, workflow(SELECT_DEMO)), test=False, now=NOW
        )
        with pytest.raises(IllegalTransition):
            rerun(store, principal=ana, run_id=started.run_id, now=NOW)
        with store.read() as session:
            assert run_resource(session, started.run_id)["status"] == "queued"


class TestRunDetail:
    def test_a_lost_output_file_previews_no_rows_but_keeps_its_counts(
        self, store: Store, ana: Principal, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Previews read the stored sets; one whose file is gone shows no rows, and the run still answers."""
        monkeypatch.setattr(stored, "INLINE_MAX_BYTES", 0)  # every set goes to a file, as a large one does
        add_conversations(store, 4)
        started = run_now(
            store, principal=ana, workflow_id=draft(store, ana, workflow(SELECT_DEMO)), test=False, now=NOW
        )
        make_runner(store).execute(started.run_id)
        with store.read() as session:
            kept = run_detail(session, principal=ana, run_id=started.run_id)["steps"][0]
            path = session.scalars(select(Artifact.path).where(Artifact.run_id == started.run_id)).one()
        Path(path).unlink()
        with store.read() as session:
            lost = run_detail(session, principal=ana, run_id=started.run_id)["steps"][0]
        assert [row["team"] for row in kept["preview"]["out"]] == ["Billing", "Billing"]
        assert lost["preview"] == {"out": []}
        assert lost["outputs"] == kept["outputs"] == {"out": 2}

    def test_a_small_set_is_kept_in_its_record_and_previewed_from_it(self, store: Store, ana: Principal) -> None:
        """A small set has no file to lose: its rows travel with the step's record, and the preview shows them."""
        add_conversations(store, 4)
        started = run_now(
            store, principal=ana, workflow_id=draft(store, ana, workflow(SELECT_DEMO)), test=False, now=NOW
        )
        make_runner(store).execute(started.run_id)
        with store.read() as session:
            shown = run_detail(session, principal=ana, run_id=started.run_id)["steps"][0]
            path, data = session.execute(
                select(Artifact.path, Artifact.data).where(Artifact.run_id == started.run_id)
            ).one()
        assert (path, data is not None) == (None, True)
        assert not list(store.artifacts_dir.rglob("*.parquet"))
        assert [row["team"] for row in shown["preview"]["out"]] == ["Billing", "Billing"]


class TestListRuns:
    def test_newest_first_in_pages(self, store: Store, ana: Principal) -> None:
        """Pages walk the runs from the newest; the count is of all of them."""
        add_conversations(store, 2)
        workflow_id = draft(store, ana, workflow(SELECT_DEMO))
        for _ in range(5):
            run_now(store, principal=ana, workflow_id=workflow_id, test=False, now=NOW)
        with store.read() as session:
            pages = [list_runs(session, principal=ana, workflow_id=workflow_id, limit=2, offset=o) for o in (0, 2, 4)]
        assert {page.count for page in pages} == {5}
        assert [run["number"] for page in pages for run in page.data] == [5, 4, 3, 2, 1]


class TestFeed:
    def test_events_not_seen_are_given_in_order_with_counts(self, store: Store, ana: Principal) -> None:
        """The feed gives what the client has not seen, even an event older than one it has (late commit)."""
        add_conversations(store, 4)
        runner = make_runner(store)
        started = run_now(
            store, principal=ana, workflow_id=draft(store, ana, workflow(SELECT_DEMO)), test=False, now=NOW
        )
        with store.read() as session:
            _, seen = feed_start(session, principal=ana, run_id=started.run_id, after=None)
            assert feed_since(session, run_id=started.run_id, seen=seen) == feed_since(
                session, run_id=started.run_id, seen=seen
            )
            assert not feed_since(session, run_id=started.run_id, seen=seen).ended
        runner.execute(started.run_id)
        with store.read() as session:
            ids = sorted(session.scalars(select(RunEvent.id).where(RunEvent.run_id == started.run_id)))
            page = feed_since(session, run_id=started.run_id, seen=set(ids) - {ids[1]})
            everything = feed_since(session, run_id=started.run_id, seen=seen)
        assert [e["id"] for e in page.events] == [ids[1]]
        assert [e["id"] for e in everything.events] == [i for i in ids if i not in seen]
        assert [(e["step_id"], e["status"]) for e in everything.events] == [
            (None, "running"),
            ("pick", "running"),
            ("pick", "completed"),
            (None, "completed"),
        ]
        assert everything.events[2]["counts"]["rows_out"] == 2  # ana sees the Billing half
        assert everything.ended
        assert everything.run is not None
        assert everything.run["status"] == "completed"

    def test_a_resume_starts_after_the_last_event_id(self, store: Store, ana: Principal) -> None:
        """With Last-Event-ID the events after it count as unseen; without it, all so far are seen."""
        add_conversations(store, 2)
        started = run_now(
            store, principal=ana, workflow_id=draft(store, ana, workflow(SELECT_DEMO)), test=False, now=NOW
        )
        make_runner(store).execute(started.run_id)
        with store.read() as session:
            _, all_seen = feed_start(session, principal=ana, run_id=started.run_id, after=None)
            _, none_seen = feed_start(session, principal=ana, run_id=started.run_id, after=0)
            ids = set(session.scalars(select(RunEvent.id).where(RunEvent.run_id == started.run_id)))
            first = min(ids)
            _, one_seen = feed_start(session, principal=ana, run_id=started.run_id, after=first)
        assert all_seen == ids
        assert none_seen == set()
        assert one_seen == {first}


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.datetimes(timezones=st.just(UTC))
    | st.dates(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


class TestJsonSafe:
    @given(json_values)
    def test_anything_a_set_holds_becomes_strict_json(self, value: Any) -> None:
        """Preview rows always serialise as strict JSON (no NaN, no datetimes left)."""
        json.dumps(json_safe(value), allow_nan=False)

    @given(st.datetimes(timezones=st.just(UTC)))
    def test_times_keep_their_instant(self, moment: datetime) -> None:
        """A datetime comes out as ISO 8601 text naming the same instant."""
        assert datetime.fromisoformat(json_safe(moment)) == moment

    @given(st.floats())
    def test_floats_that_json_cannot_carry_become_null(self, number: float) -> None:
        """Finite floats pass through; NaN and infinities become null."""
        assert json_safe(number) == (number if math.isfinite(number) else None)

    def test_lists_stay_lists_and_decimals_become_numbers(self) -> None:
        """Tags stay a list; credits in Decimal become plain numbers; dates are ISO."""
        assert json_safe({"tags": ("vip", "new"), "credits": Decimal("1.5"), "day": date(2026, 3, 2)}) == {
            "tags": ["vip", "new"],
            "credits": 1.5,
            "day": "2026-03-02",
        }
