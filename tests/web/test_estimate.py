"""`GET /workflows/{id}/estimate`: the impact preview as a user sees it — readable by viewers, hidden from others."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from redflare.adapters.db.orm import Base
from redflare.adapters.db.store import Store
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.loading import document_from_data
from redflare.domain.ports import FixedClock
from redflare.services.users import get_user_by_email
from redflare.services.workflows import save_draft_by_name
from tests.factories import PROCESS, SELECT_DEMO, TEAMS, add_conversations, step, workflow
from tests.web.conftest import add_user, sign_in

SPLIT = step("split", "distribute", ["analyse"], mode="round_robin", groups=[{"name": "A"}, {"name": "B"}])
PRICE = load_builtin_pipelines()["default-qa"].prices.analysis_per_conversation


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def saved(client: TestClient, data: dict[str, Any], *, creator: str, clock: FixedClock) -> str:
    with store_of(client).transaction() as session:
        owner = get_user_by_email(session, creator)
        return save_draft_by_name(session, document_from_data(data), now=clock.now(), created_by=owner.id).id


def row_counts(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        return {
            t.name: int(session.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables
        }


class TestEstimate:
    def test_viewer_reads_the_preview(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        """A viewer gets the expected conversations, credits and split of an editor's draft; no version yet."""
        add_conversations(store_of(client), 7)
        add_user(settings, "ed@example.com", Role.EDITOR)
        add_user(settings, "vi@example.com", Role.VIEWER)
        workflow_id = saved(
            client,
            workflow(SELECT_DEMO, PROCESS, SPLIT, settings={"call_limit": 5}),
            creator="ed@example.com",
            clock=clock,
        )
        sign_in(client, "vi@example.com")
        response = client.get(f"/api/workflows/{workflow_id}/estimate")
        assert response.status_code == 200
        body = response.json()
        draft = body["draft"]
        steps = {s["id"]: s for s in draft["steps"]}
        assert body["active"] is None
        assert (draft["conversations"], draft["to_process"]) == (7, 7)
        # The call limit lets 4 through: the run's firing is the fifth call.
        assert (draft["processed"], draft["limits"]["cuts_in"]) == (4, "call_limit")
        assert draft["credits"] == float(4 * PRICE)
        assert steps["split"]["outputs"] == {"A": 2, "B": 2}

    def test_nothing_is_written(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        """Asking for an estimate leaves every table's row count as it was."""
        add_conversations(store_of(client), 5)
        add_user(settings, "ed@example.com", Role.EDITOR)
        workflow_id = saved(client, workflow(SELECT_DEMO, PROCESS), creator="ed@example.com", clock=clock)
        sign_in(client, "ed@example.com")
        before = row_counts(store_of(client))
        assert client.get(f"/api/workflows/{workflow_id}/estimate").status_code == 200
        assert row_counts(store_of(client)) == before

    def test_hidden_workflow_is_not_found(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        """A workflow whose creator sees more than the asker answers 404, like one that does not exist."""
        add_user(settings, "ed@example.com", Role.EDITOR)
        add_user(settings, "bill@example.com", Role.VIEWER, teams=[TEAMS[0]])
        workflow_id = saved(client, workflow(SELECT_DEMO), creator="ed@example.com", clock=clock)
        sign_in(client, "bill@example.com")
        hidden = client.get(f"/api/workflows/{workflow_id}/estimate")
        missing = client.get("/api/workflows/nope/estimate")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json()["title"] == missing.json()["title"]

    def test_needs_sign_in(self, client: TestClient) -> None:
        """Without signing in there is no estimate."""
        assert client.get("/api/workflows/any/estimate").status_code == 401

    def test_draft_issues_are_answered(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        """A draft with issues gets them back, each with its node, instead of figures."""
        add_user(settings, "ed@example.com", Role.EDITOR)
        workflow_id = saved(
            client, {"name": "No trigger", "steps": [SELECT_DEMO]}, creator="ed@example.com", clock=clock
        )
        sign_in(client, "ed@example.com")
        draft = client.get(f"/api/workflows/{workflow_id}/estimate").json()["draft"]
        assert draft["steps"] == []
        assert "trigger" in {issue["node"] for issue in draft["issues"]}
