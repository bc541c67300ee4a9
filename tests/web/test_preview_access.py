"""Run previews show what the workflow's creator may see, and only users whose rules cover the creator's see them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from redflare.config import Settings
from redflare.domain.access import Role
from tests.factories import PROCESS, SELECT_DEMO, TEAMS, add_conversations, step, workflow
from tests.web.conftest import add_user, sign_in
from tests.web.test_runs import steps_of, wait_for


def test_a_team_x_editors_run_previews_only_team_x(client: TestClient, settings: Settings) -> None:
    """An editor limited to Billing runs a workflow: every preview row is Billing; a Support-only viewer sees no run."""
    add_conversations(client.app.state.services.store, 12)  # type: ignore[attr-defined]
    add_user(settings, "billing@example.com", Role.EDITOR, teams=["Billing"])
    add_user(settings, "support@example.com", Role.VIEWER, teams=["Support"])
    add_user(settings, "all@example.com", Role.VIEWER)
    csrf = {"X-CSRF-Token": sign_in(client, "billing@example.com")}
    document = workflow(SELECT_DEMO, PROCESS, step("ranked", "sort", ["analyse"], by=[{"field": "score"}]))
    created = client.post("/api/workflows", json=document, headers=csrf).json()
    started = client.post(f"/api/workflows/{created['id']}/runs", json={}, headers=csrf)
    assert started.status_code == 202, started.text
    run = wait_for(client, started.json()["id"])
    assert run["status"] == "completed"
    for step_run in steps_of(run).values():
        for port_rows in step_run["preview"].values():
            assert port_rows, "each step previews rows"
            assert {row["team"] for row in port_rows} == {"Billing"}
    assert TEAMS[0] == "Billing"
    client.cookies.clear()
    sign_in(client, "support@example.com")
    assert client.get(f"/api/runs/{run['id']}").status_code == 404
    client.cookies.clear()
    sign_in(client, "all@example.com")
    assert client.get(f"/api/runs/{run['id']}").status_code == 200
