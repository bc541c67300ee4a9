"""The workflows list: the status each workflow shows, and exactly the workflows the user may see."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from redflare.adapters.db.orm import Workflow
from redflare.adapters.db.store import Store
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from redflare.services import workflow_list
from redflare.services.bootstrap import ensure_builtins
from redflare.services.visibility import may_see
from tests.services.test_lifecycle import NAMES, NOW, add_user, new_draft


@pytest.fixture
def ready_store(store: Store) -> Store:
    ensure_builtins(store, FixedClock(NOW))
    return store


class TestDisplayedStatus:
    @given(
        state=st.sampled_from(["draft", "live", "paused"]),
        steps=st.lists(st.sampled_from(NAMES), max_size=3),
        published=st.none() | st.lists(st.sampled_from(NAMES), max_size=3),
        renamed=st.booleans(),
        limits=st.booleans(),
    )
    def test_the_four_statuses(
        self, state: str, steps: list[str], published: list[str] | None, renamed: bool, limits: bool
    ) -> None:
        """Draft until published; Unpublished Changes when the steps differ; name and limits never count."""
        draft = {"name": "new" if renamed else "old", "steps": steps, "settings": {"call_limit": 1} if limits else {}}
        active = None if published is None else {"name": "old", "steps": published, "settings": {}}
        shown = workflow_list.displayed_status(state, draft, active)
        if state == "draft" or published is None:
            assert shown == "Draft"
        elif steps != published:
            assert shown == "Unpublished Changes"
        else:
            assert shown == ("Paused" if state == "paused" else "Live")


class TestListVisibility:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        creators=st.lists(st.none() | st.lists(st.sampled_from(NAMES), unique=True), min_size=1, max_size=4),
        viewer=st.none() | st.lists(st.sampled_from(NAMES), unique=True),
        viewer_role=st.sampled_from([Role.EDITOR, Role.VIEWER, Role.ADMIN]),
        orphan=st.sampled_from(["no", "made before users", "creator deleted"]),
    )
    def test_the_list_shows_exactly_what_may_be_seen(
        self,
        ready_store: Store,
        creators: list[list[str] | None],
        viewer: list[str] | None,
        viewer_role: Role,
        orphan: str,
    ) -> None:
        """The list's SQL filter agrees with `may_see` for every workflow, whatever the users' team rules."""
        with ready_store.sessions() as session:
            owners = [add_user(session, teams=teams) for teams in creators]
            me = add_user(session, viewer_role, teams=viewer)
            ids = [new_draft(session, owner) for owner in owners]
            ids.append(new_draft(session, me))
            first = session.get(Workflow, ids[0])
            assert first is not None
            if orphan == "made before users":  # acts with every rule
                first.created_by = None
            elif orphan == "creator deleted":  # acts with no rule at all
                first.created_by = uuid.uuid4().hex
            session.flush()
            listed = workflow_list.list_workflows(session, principal=me, search=None, limit=200, offset=0)
            expected = {w.id for w in session.scalars(select(Workflow)) if may_see(session, me, w)}
            assert {w.id for w in listed.data} == expected
            assert listed.count == len(expected)
            session.rollback()
