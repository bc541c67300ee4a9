"""Lifecycle services: publish and its versions, pause/resume, Set as active, the canvas helpers, duplicate and
delete — plus the pure core they stand on (the status users see, who may see what in the list)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Artifact, AuditEntry, Run, User, Workflow, WorkflowVersion
from redflare.adapters.db.store import Store
from redflare.domain.access import Role
from redflare.domain.errors import IllegalTransition, NotFound
from redflare.domain.loading import document_from_data
from redflare.domain.ports import FixedClock
from redflare.domain.workflow import Trigger, TriggerType
from redflare.services import canvas, deletion, drafts, lifecycle, versions
from redflare.services.bootstrap import ensure_builtins
from redflare.services.run_start import start_run
from redflare.services.users import Principal, principal_of
from tests.factories import PROCESS, step, workflow

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
READY = workflow(step("pick", "select_conversations", source="all"), PROCESS, name="Flow")
NAMES = ["a", "b", "c"]


def add_user(session: Session, role: Role = Role.EDITOR, **rules: list[str] | None) -> Principal:
    user = User(
        id=uuid.uuid4().hex,
        email=f"{uuid.uuid4().hex[:8]}@example.com",
        password_hash=None,
        role=role.value,
        integrations=rules.get("integrations"),
        teams=rules.get("teams"),
        agents=rules.get("agents"),
        disabled=False,
        created_at=NOW,
    )
    session.add(user)
    session.flush()
    return principal_of(user)


@pytest.fixture
def ready_store(store: Store) -> Store:
    ensure_builtins(store, FixedClock(NOW))
    return store


@pytest.fixture
def session(ready_store: Store) -> Iterator[Session]:
    with ready_store.transaction() as session:
        yield session


@pytest.fixture
def ana(session: Session) -> Principal:
    return add_user(session)


def new_draft(session: Session, principal: Principal, document: dict[str, Any] = READY) -> str:
    return drafts.create_workflow(session, principal=principal, data=document, now=NOW).workflow.id


class TestPublish:
    def test_versions_count_up_and_stay_as_published(self, session: Session, ana: Principal) -> None:
        """Each publish adds version n+1, active, holding the draft as it was then."""
        workflow_id = new_draft(session, ana)
        for expected in (1, 2, 3):
            shown = lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
            assert (shown.active_version, shown.state, shown.status) == (expected, "live", "Live")
        draft = session.get(Workflow, workflow_id).draft  # type: ignore[union-attr]
        drafts.replace_draft(session, principal=ana, workflow_id=workflow_id, data={"name": "Flow"}, now=NOW)
        stored = session.scalars(select(WorkflowVersion).where(WorkflowVersion.workflow_id == workflow_id)).all()
        assert sorted(v.number for v in stored) == [1, 2, 3]
        assert all(v.definition["steps"] == draft["steps"] for v in stored)

    def test_refusal_carries_the_guides_words_and_every_issue(self, session: Session, ana: Principal) -> None:
        """A draft with issues is refused with the guide's message and exactly the Final checks' issues."""
        workflow_id = new_draft(session, ana, {"name": "Empty"})
        with pytest.raises(lifecycle.PublishRefused) as refused:
            lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
        assert str(refused.value) == "Please resolve the issues in the workflow before publishing the workflow."
        expected = drafts.checked_draft(session, principal=ana, workflow_id=workflow_id).issues
        assert refused.value.issues == expected != []

    def test_publishing_a_paused_workflow_makes_it_live(self, session: Session, ana: Principal) -> None:
        """Publish makes the workflow live, whatever it was; the paused reason goes."""
        workflow_id = new_draft(session, ana)
        lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
        lifecycle.pause(session, principal=ana, workflow_id=workflow_id, now=NOW)
        shown = lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
        assert (shown.state, shown.paused_reason) == ("live", None)


class TestPauseResume:
    @pytest.mark.parametrize("state", ["draft", "live", "paused"])
    @pytest.mark.parametrize("action", ["pause", "resume"])
    def test_transition_table(self, session: Session, ana: Principal, state: str, action: str) -> None:
        """Only live → paused (pause) and paused → live (resume) are allowed; anything else changes nothing."""
        workflow_id = new_draft(session, ana)
        if state != "draft":
            lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
        if state == "paused":
            lifecycle.pause(session, principal=ana, workflow_id=workflow_id, now=NOW)
        allowed = {("live", "pause"): "paused", ("paused", "resume"): "live"}
        change = getattr(lifecycle, action)
        if (state, action) in allowed:
            assert change(session, principal=ana, workflow_id=workflow_id, now=NOW).state == allowed[state, action]
        else:
            with pytest.raises(IllegalTransition):
                change(session, principal=ana, workflow_id=workflow_id, now=NOW)
            assert session.get(Workflow, workflow_id).status == state  # type: ignore[union-attr]


class TestActivate:
    def test_runs_in_flight_keep_their_version(self, session: Session, ana: Principal) -> None:
        """Set as active moves the pointer; a run created on version 2 still holds version 2's definition."""
        workflow_id = new_draft(session, ana)
        lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
        drafts.replace_draft(
            session, principal=ana, workflow_id=workflow_id, data=workflow(READY["steps"][0], name="Flow"), now=NOW
        )
        lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
        v2 = session.get(WorkflowVersion, (workflow_id, 2))
        assert v2 is not None
        queued = start_run(
            session, workflow_id=workflow_id, document=document_from_data(v2.definition), version=2, now=NOW
        )
        shown = versions.activate(session, principal=ana, workflow_id=workflow_id, number=1, now=NOW)
        assert shown.active_version == 1
        run = session.get(Run, queued.id)
        assert run is not None
        assert (run.version, [s["id"] for s in run.definition["steps"]]) == (2, ["pick"])

    def test_unknown_version(self, session: Session, ana: Principal) -> None:
        """Activating a version that does not exist is NotFound and leaves the active one."""
        workflow_id = new_draft(session, ana)
        lifecycle.publish(session, principal=ana, workflow_id=workflow_id, now=NOW)
        with pytest.raises(NotFound):
            versions.activate(session, principal=ana, workflow_id=workflow_id, number=5, now=NOW)
        assert session.get(Workflow, workflow_id).active_version == 1  # type: ignore[union-attr]


def reachable(edges: set[tuple[str, str]], start: set[str]) -> set[str]:
    """Everything reachable from `start` along edges (a fixed point, independent of the planner's walk)."""
    seen = set(start)
    while True:
        more = {b for a, b in edges if a in seen} - seen
        if not more:
            return seen
        seen |= more


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[str], set[tuple[str, str]]]:
    ids = [f"s{i}" for i in range(draw(st.integers(min_value=1, max_value=7)))]
    edges = {(ids[a], ids[b]) for b in range(len(ids)) for a in range(b) if draw(st.booleans())}
    return ids, edges


class TestDeletionImpact:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(graph=dags(), data=st.data())
    def test_counts_what_lies_downstream(
        self, ready_store: Store, graph: tuple[list[str], set[tuple[str, str]]], data: st.DataObject
    ) -> None:
        """Deleting a step affects all below it; deleting a connection affects its target and all below that."""
        ids, edges = graph
        document = workflow(*[step(i, "sort", sorted(a for a, b in edges if b == i), by=[]) for i in ids], name="DAG")
        with ready_store.sessions() as session:
            principal = add_user(session)
            workflow_id = new_draft(session, principal, document)
            chosen = data.draw(st.sampled_from(ids))
            impact = canvas.deletion_impact(
                session, principal=principal, workflow_id=workflow_id, step=chosen, connection=None
            )
            assert set(impact.steps) == reachable(edges, {chosen}) - {chosen}
            assert impact.steps == [i for i in ids if i in impact.steps]  # in the document's order
            if edges:
                source, target = data.draw(st.sampled_from(sorted(edges)))
                cut = canvas.deletion_impact(
                    session, principal=principal, workflow_id=workflow_id, step=None, connection=f"{source}->{target}"
                )
                assert set(cut.steps) == reachable(edges, {target})
            session.rollback()


class TestChangeTrigger:
    def test_confirmed_change_keeps_only_the_trigger(self, session: Session, ana: Principal) -> None:
        """After a confirmed change the draft has the new trigger, no steps, and only the trigger's position."""
        document = {**READY, "layout": {"trigger": {"x": 1, "y": 2}, "pick": {"x": 3, "y": 4}}}
        workflow_id = new_draft(session, ana, document)
        schedule = Trigger(type=TriggerType.SCHEDULE, every={"hours": 2}, timezone="UTC")
        draft = canvas.change_trigger(
            session, principal=ana, workflow_id=workflow_id, trigger=schedule, confirm=True, now=NOW
        )
        assert document_from_data(draft.document).trigger == schedule
        assert (draft.document["steps"], draft.document["layout"]) == ([], {"trigger": {"x": 1.0, "y": 2.0}})


class TestDuplicate:
    def test_a_long_name_still_fits(self, session: Session, ana: Principal) -> None:
        """A 200-character name's copy is cut to fit and still ends in " (copy)"."""
        workflow_id = new_draft(session, ana, {**READY, "name": "x" * 200})
        copy = lifecycle.duplicate(session, principal=ana, workflow_id=workflow_id, source="draft", now=NOW)
        assert (len(copy.name), copy.name.endswith(" (copy)")) == (200, True)

    def test_the_copy_is_yours(self, session: Session, ana: Principal) -> None:
        """Whoever duplicates a workflow they may see owns the copy (its runs act with their rules)."""
        workflow_id = new_draft(session, ana)
        admin = add_user(session, Role.ADMIN)
        copy = lifecycle.duplicate(session, principal=admin, workflow_id=workflow_id, source="draft", now=NOW)
        assert copy.created_by == admin.user_id != ana.user_id


class TestDelete:
    def test_cancels_waits_then_deletes(self, ready_store: Store, tmp_path: Path) -> None:
        """Ongoing runs are cancelled and committed before the wait; a run started meanwhile is cancelled too;
        then versions, runs and their folders go, and another workflow's files stay."""
        clock = FixedClock(NOW)
        with ready_store.transaction() as session:
            ana = add_user(session)
            doomed, other = new_draft(session, ana), new_draft(session, ana)
            lifecycle.publish(session, principal=ana, workflow_id=doomed, now=NOW)
            document = document_from_data(READY)
            first = start_run(session, workflow_id=doomed, document=document, version=1, now=NOW).id
            kept = start_run(session, workflow_id=other, document=document, version=None, now=NOW).id
            files = {run_id: ready_store.artifacts_dir / run_id / "pick" / "out.parquet" for run_id in (first, kept)}
            for run_id, path in files.items():
                path.parent.mkdir(parents=True)
                path.write_bytes(b"x")
                session.add(
                    Artifact(run_id=run_id, step_id="pick", port="out", path=str(path), rows=1, bytes=1, created_at=NOW)
                )
        waits: list[tuple[frozenset[str], dict[str, str]]] = []

        async def wind_down(run_ids: frozenset[str]) -> None:
            with ready_store.transaction() as session:
                statuses = {r.id: r.status for r in session.scalars(select(Run).where(Run.workflow_id == doomed))}
                if not waits:  # a run starts while we wait: the delete must catch it too
                    start_run(session, workflow_id=doomed, document=document, version=1, now=NOW)
            waits.append((run_ids, statuses))

        asyncio.run(
            deletion.delete_workflow(ready_store, principal=ana, workflow_id=doomed, clock=clock, wind_down=wind_down)
        )
        assert waits[0] == (frozenset({first}), {first: "cancelled"})
        late = set(waits[1][0])
        assert len(late) == 1
        assert first not in late
        with ready_store.transaction() as session:
            assert session.get(Workflow, doomed) is None
            assert session.scalar(select(func.count()).select_from(WorkflowVersion)) == 0
            assert set(session.scalars(select(Run.id))) == {kept}
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "delete")).one()
            assert set(entry.detail["cancelled_runs"]) == {first} | late
        assert not (ready_store.artifacts_dir / first).exists()
        assert files[kept].exists()

    def test_someone_who_may_not_see_it_deletes_nothing(self, ready_store: Store) -> None:
        """A user who may not see the workflow gets NotFound and it stays, runs untouched."""
        with ready_store.transaction() as session:
            ana, bo = add_user(session), add_user(session, teams=["Billing"])
            workflow_id = new_draft(session, ana)
            run_id = start_run(
                session, workflow_id=workflow_id, document=document_from_data(READY), version=None, now=NOW
            ).id

        async def never(run_ids: frozenset[str]) -> None:
            raise AssertionError("nothing should be waited for")

        with pytest.raises(NotFound):
            asyncio.run(
                deletion.delete_workflow(
                    ready_store, principal=bo, workflow_id=workflow_id, clock=FixedClock(NOW), wind_down=never
                )
            )
        with ready_store.transaction() as session:
            assert session.get(Run, run_id).status == "queued"  # type: ignore[union-attr]
