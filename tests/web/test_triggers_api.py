"""The schedule panel's next fire times, and a workflow's firings with what each became."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from redflare.config import Settings
from redflare.domain.access import Role
from tests.integrations.conftest import chat
from tests.web.conftest import add_user, sign_in


def signed_in(client: TestClient, settings: Settings) -> dict[str, str]:
    add_user(settings, "ed@example.com", Role.EDITOR)
    return {"X-CSRF-Token": sign_in(client, "ed@example.com")}


def test_the_next_five_fire_times_of_a_schedule_in_its_time_zone(client: TestClient, settings: Settings) -> None:
    headers = signed_in(client, settings)  # the test clock says 2026-04-01 09:00 UTC (British Summer Time)
    trigger = {"type": "schedule", "daily": "09:00", "timezone": "Europe/London"}
    answer = client.post("/api/triggers/next-fire-times", json={"trigger": trigger}, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["local_times"] == [f"2026-04-0{day}T09:00:00+01:00" for day in range(2, 7)]
    assert body["times"][0] == "2026-04-02T08:00:00Z"
    assert (body["timezone"], body["cron"]) == ("Europe/London", "0 9 * * *")


def test_a_trigger_without_fire_times_is_a_clear_error(client: TestClient, settings: Settings) -> None:
    headers = signed_in(client, settings)
    bad_cron = {"trigger": {"type": "schedule", "cron": "0 25 * * *"}}
    answer = client.post("/api/triggers/next-fire-times", json=bad_cron, headers=headers)
    assert answer.status_code == 422
    assert "hour" in answer.text.lower()
    sync = {"trigger": {"type": "sync_completed"}}
    answer = client.post("/api/triggers/next-fire-times", json=sync, headers=headers)
    assert answer.status_code == 422
    assert "On a Schedule" in answer.json()["detail"]


def firings(client: TestClient, workflow_id: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        found: list[dict[str, Any]] = client.get(f"/api/workflows/{workflow_id}/firings").json()["data"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_each_firing_is_listed_with_what_came_of_it(client: TestClient, settings: Settings) -> None:
    headers = signed_in(client, settings)
    crm = client.post("/api/integrations", json={"name": "crm", "kind": "push"}, headers=headers).json()
    document = {
        "name": "Limited",
        "trigger": {"type": "sync_completed", "integration": "crm"},
        "steps": [{"id": "pick", "type": "select_conversations", "after": [], "config": {}}],
        "settings": {"call_limit": 1, "overlap": "parallel"},
    }
    workflow_id = client.post("/api/workflows", json=document, headers=headers).json()["id"]
    assert client.post(f"/api/workflows/{workflow_id}/publish", headers=headers).status_code == 200
    token = {"Authorization": f"Bearer {crm['token']}"}
    for number in (1, 2):
        batch = {"conversations": [chat(f"c-{number}")]}
        assert client.post(f"/api/integrations/{crm['id']}/sync", json=batch, headers=token).status_code == 200
        firings(client, workflow_id, number)
    newest, first = firings(client, workflow_id, 2)
    assert (first["outcome"], first["trigger_type"]) == ("started", "sync_completed")
    assert first["run_id"] in {r["id"] for r in client.get(f"/api/workflows/{workflow_id}/runs").json()["data"]}
    assert (newest["outcome"], newest["run_id"]) == ("skipped", None)
    assert "call limit" in newest["reason"]
