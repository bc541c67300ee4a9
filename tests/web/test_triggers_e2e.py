"""Triggers end to end, as users and sources do it over HTTP against the real app (scheduler included):
a pushed batch and a folder scan each make one sync whose Sync Completed starts exactly one run of each
listening live workflow, selecting exactly that sync's conversations; failed syncs (a bad token, an
unreadable file) start the Sync Failed listeners; the overlap policy is a setting."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from redflare.adapters.db.orm import Charge, Firing, Run, SyncEvent
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from tests.integrations.conftest import chat
from tests.web.conftest import add_user, sign_in

ADMIN = "admin@example.com"


class User:
    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.headers = {"X-CSRF-Token": csrf}

    def post(self, path: str, body: Any = None) -> Any:
        response = self.client.post(f"/api/{path}", json=body, headers=self.headers)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()

    def listening(self, name: str, trigger: dict[str, Any], *, publish: bool = True) -> str:
        """A workflow with this trigger and a Select Conversations step: after Sync Completed it takes the sync's
        conversations (only that trigger gathers any), otherwise all."""
        source = "trigger" if trigger["type"] == "sync_completed" else "all"
        document = {
            "name": name,
            "trigger": trigger,
            "steps": [{"id": "pick", "type": "select_conversations", "after": [], "config": {"source": source}}],
        }
        workflow_id: str = self.post("workflows", document)["id"]
        if publish:
            self.post(f"workflows/{workflow_id}/publish")
        return workflow_id

    def runs(self, workflow_id: str, count: int, *, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The workflow's runs once there are `count` of them and all have ended (then a pause: no more come)."""
        deadline = time.monotonic() + timeout
        while True:
            listed = self.client.get(f"/api/workflows/{workflow_id}/runs").json()["data"]
            ended = [r for r in listed if r["status"] in ("completed", "failed", "cancelled")]
            if (len(listed) >= count and len(ended) == len(listed)) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        time.sleep(0.3)  # a second run would have been started by now
        listed = self.client.get(f"/api/workflows/{workflow_id}/runs").json()["data"]
        assert len(listed) == count, [r["trigger_type"] for r in listed]
        return [self.client.get(f"/api/runs/{r['id']}").json() for r in reversed(listed)]


def picked(run: dict[str, Any]) -> list[str]:
    [pick] = [s for s in run["steps"] if s["id"] == "pick"]
    return sorted(row["id"] for row in pick["preview"]["out"])


@pytest.fixture
def admin(client: TestClient, settings: Settings) -> User:
    add_user(settings, ADMIN, Role.ADMIN)
    return User(client, sign_in(client, ADMIN))


def test_a_pushed_batch_starts_one_run_of_each_listening_workflow(admin: User, client: TestClient) -> None:
    crm = admin.post("integrations", {"name": "crm", "kind": "push"})
    admin.post("integrations", {"name": "other", "kind": "push"})
    for_crm = admin.listening("CRM syncs", {"type": "sync_completed", "integration": "crm"})
    for_any = admin.listening("Any sync", {"type": "sync_completed"})
    for_other = admin.listening("Other syncs", {"type": "sync_completed", "integration": "other"})
    a_draft = admin.listening("Draft", {"type": "sync_completed", "integration": "crm"}, publish=False)
    on_failure = admin.listening("CRM failures", {"type": "sync_failed", "integration": "crm"})
    token = {"Authorization": f"Bearer {crm['token']}"}

    client.cookies.clear()  # the source is not a user: only its token counts
    batch = {"conversations": [chat("crm-1"), chat("crm-2"), chat("crm-3")]}
    pushed = client.post(f"/api/integrations/{crm['id']}/sync", json=batch, headers=token)
    assert pushed.status_code == 200, pushed.text
    sign_in(client, ADMIN)

    [run] = admin.runs(for_crm, 1)
    assert run["status"] == "completed"
    assert run["trigger"]["type"] == "sync_completed"
    assert run["trigger"]["payload"]["sync_id"] == pushed.json()["id"]
    assert picked(run) == ["crm-1", "crm-2", "crm-3"]
    [anywhere] = admin.runs(for_any, 1)
    assert picked(anywhere) == ["crm-1", "crm-2", "crm-3"]
    for quiet in (for_other, a_draft, on_failure):
        assert admin.runs(quiet, 0, timeout=0.2) == []

    client.cookies.clear()
    refused = client.post(f"/api/integrations/{crm['id']}/sync", json=batch, headers={"Authorization": "Bearer x"})
    assert refused.status_code == 401
    sign_in(client, ADMIN)
    [failure] = admin.runs(on_failure, 1)
    assert failure["trigger"]["type"] == "sync_failed"
    assert "authentication" in json.dumps(failure["trigger"]["payload"])
    assert len(admin.runs(for_crm, 1)) == 1  # a failed sync is no Sync Completed


def test_files_dropped_in_a_folder_start_one_run_with_exactly_their_conversations(admin: User, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    drop = admin.post("integrations", {"name": "drop", "kind": "folder", "config": {"path": str(folder)}})
    completed = admin.listening("Dropped files", {"type": "sync_completed", "integration": "drop"})
    failed = admin.listening("Unreadable files", {"type": "sync_failed", "integration": "drop"})

    # Both files appear at once (a folder renamed into place): the server's own first scan of the new integration
    # may take them before our Sync now does — either way they arrive together, in one sync.
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "monday.jsonl").write_text("\n".join(json.dumps(chat(f"mon-{i}")) for i in range(2)) + "\n")
    (batch / "tuesday.json").write_text(json.dumps([chat("tue-1")]))
    batch.rename(folder / "week-1")
    admin.post(f"integrations/{drop['id']}/sync-now")
    [first] = admin.runs(completed, 1)
    assert picked(first) == ["mon-0", "mon-1", "tue-1"]

    (folder / "wednesday.json").write_text(json.dumps([chat("wed-1")]))
    admin.post(f"integrations/{drop['id']}/sync-now")
    second = admin.runs(completed, 2)[1]
    assert picked(second) == ["wed-1"]  # only what arrived in this sync

    (folder / "broken.json").write_text("{ not json")
    admin.post(f"integrations/{drop['id']}/sync-now")
    [failure] = admin.runs(failed, 1)
    assert failure["trigger"]["type"] == "sync_failed"
    assert "broken.json" in json.dumps(failure["trigger"]["payload"])
    assert len(admin.runs(completed, 2)) == 2


def test_the_overlap_policy_is_a_setting_kept_in_the_document(admin: User, client: TestClient) -> None:
    workflow_id = admin.listening("Overlapping", {"type": "sync_completed"}, publish=False)
    assert client.get(f"/api/workflows/{workflow_id}/settings").json()["overlap"] == "queue"
    response = client.put(
        f"/api/workflows/{workflow_id}/settings", json={"call_limit": 10, "overlap": "skip"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["overlap"] == "skip"
    assert client.get(f"/api/workflows/{workflow_id}/draft").json()["settings"] == {"call_limit": 10, "overlap": "skip"}
    bad = client.put(f"/api/workflows/{workflow_id}/settings", json={"overlap": "sometimes"}, headers=admin.headers)
    assert bad.status_code == 422
    assert client.get(f"/api/workflows/{workflow_id}/settings").json()["overlap"] == "skip"


def test_three_hundred_pushes_behind_a_queue_process_every_conversation_once(
    admin: User, client: TestClient, settings: Settings
) -> None:
    """Issue P8's loss: with overlap "queue" (the default), syncs arriving while a run goes were skipped after the
    first waiting one, and their conversations were never processed. Now each is merged into the waiting firing:
    300 pushes of one chat each leave all 300 analysed and charged exactly once, over however few runs."""
    crm = admin.post("integrations", {"name": "crm", "kind": "push"})
    document = {
        "name": "After each sync",
        "trigger": {"type": "sync_completed", "integration": "crm"},
        "steps": [
            {"id": "pick", "type": "select_conversations", "config": {"source": "trigger"}},
            {"id": "analyse", "type": "process_conversations", "after": ["pick"], "config": {"pipeline": "default-qa"}},
        ],
    }
    workflow_id = admin.post("workflows", document)["id"]
    admin.post(f"workflows/{workflow_id}/publish")
    token = {"Authorization": f"Bearer {crm['token']}"}
    client.cookies.clear()
    pushed = [f"push-{i:03d}" for i in range(300)]
    for conversation_id in pushed:
        answer = client.post(
            f"/api/integrations/{crm['id']}/sync", json={"conversations": [chat(conversation_id)]}, headers=token
        )
        assert answer.status_code == 200, answer.text
    sign_in(client, ADMIN)

    store = Store.open(settings)
    try:
        deadline = time.monotonic() + 180
        # One statement, so one snapshot: on PostgreSQL each statement of a transaction sees what was committed
        # when it began, and three separate counts could miss a firing that consumed its sync event and queued its
        # run between them (all three read zero while that run was about to go).
        settled = select(
            select(func.count()).select_from(Run).where(Run.status.in_(["queued", "running"])).scalar_subquery(),
            select(func.count()).select_from(Firing).where(Firing.outcome == "waiting").scalar_subquery(),
            select(func.count()).select_from(SyncEvent).where(SyncEvent.consumed_at.is_(None)).scalar_subquery(),
        )
        while True:
            with store.read() as session:
                going, waiting, events = session.execute(settled).one()
            if going == waiting == events == 0:
                break
            assert time.monotonic() < deadline, (going, waiting, events)
            time.sleep(0.1)
        with store.read() as session:
            charged = Counter(session.scalars(select(Charge.conversation_id).where(Charge.workflow_id == workflow_id)))
            outcomes = Counter(session.scalars(select(Firing.outcome).where(Firing.workflow_id == workflow_id)))
            statuses = Counter(session.scalars(select(Run.status).where(Run.workflow_id == workflow_id)))
    finally:
        store.close()
    assert charged == Counter(pushed)  # every pushed conversation analysed and charged once
    assert outcomes["started"] + outcomes["merged"] == 300
    assert outcomes["skipped"] == 0
    assert statuses == {"completed": outcomes["started"]}
    print(f"300 syncs: {dict(outcomes)}")
