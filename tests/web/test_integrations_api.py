"""Integration syncs over HTTP: pushes with the integration's own token, sync-now, the sync list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from redflare.adapters.db.orm import Conversation, Sync, SyncEvent
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from tests.integrations.conftest import chat
from tests.web.conftest import add_user, sign_in


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def events(client: TestClient) -> list[SyncEvent]:
    with store_of(client).read() as session:
        return list(session.scalars(select(SyncEvent).order_by(SyncEvent.id)))


def count(client: TestClient, model: type[Any]) -> int:
    with store_of(client).read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def editor(client: TestClient, settings: Settings) -> dict[str, str]:
    add_user(settings, "ed@example.com", Role.EDITOR)
    return {"X-CSRF-Token": sign_in(client, "ed@example.com")}


def push_integration(client: TestClient, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    created = client.post("/api/integrations", json={"name": "crm", "kind": "push"}, headers=headers).json()
    client.cookies.clear()  # the source is not a signed-in user: only its token counts
    return created["id"], {"Authorization": f"Bearer {created['token']}"}


class TestPush:
    def test_a_pushed_batch_is_one_completed_sync(self, client: TestClient, settings: Settings) -> None:
        """The answer is the sync: completed, its counts, window and ids; the events are Started then Completed."""
        crm, token = push_integration(client, editor(client, settings))
        woken: list[bool] = []
        client.app.state.services.wake_scheduler = lambda: woken.append(True)  # type: ignore[attr-defined]
        body = {"conversations": [chat("c-1"), chat("c-2")]}
        answer = client.post(f"/api/integrations/{crm}/sync", json=body, headers=token)
        assert answer.status_code == 200, answer.text
        assert woken == [True]  # the scheduler hears of the events at once
        sync = answer.json()
        assert (sync["status"], sync["conversation_ids"]) == ("completed", ["c-1", "c-2"])
        assert sync["counts"] == {"received": 2, "imported": 2, "updated": 0, "unchanged": 0}
        assert sync["window"] == {"start": "2026-04-01T09:00:00+00:00", "end": "2026-04-01T09:00:00+00:00"}
        assert [(e.type, e.sync_id) for e in events(client)] == [
            ("sync_started", sync["id"]),
            ("sync_completed", sync["id"]),
        ]
        assert events(client)[1].payload["conversation_ids"] == ["c-1", "c-2"]
        again = client.post(f"/api/integrations/{crm}/sync", json=body, headers=token).json()
        assert (again["status"], again["conversation_ids"]) == ("completed", [])

    def test_a_bad_batch_is_422_listing_problems_and_stores_nothing(
        self, client: TestClient, settings: Settings
    ) -> None:
        """Missing id, bad channel, a time without a zone: every one listed by index and field; no sync."""
        crm, token = push_integration(client, editor(client, settings))
        no_id = chat("x")
        del no_id["id"]
        body = {"conversations": [no_id, chat("c-2", channel="fax"), chat("c-3", started_at="2026-03-02T09:15:00")]}
        answer = client.post(f"/api/integrations/{crm}/sync", json=body, headers=token)
        assert answer.status_code == 422
        assert [e["path"] for e in answer.json()["errors"]] == [
            "conversations[0].id",
            "conversations[1].channel",
            "conversations[2].started_at",
        ]
        assert (count(client, Conversation), count(client, Sync), count(client, SyncEvent)) == (0, 0, 0)

    def test_a_bad_token_is_401_and_one_failed_sync_a_minute(
        self, client: TestClient, settings: Settings, clock: FixedClock
    ) -> None:
        """A wrong or missing token: 401, a failed sync and Sync Failed — once a minute however many tries."""
        crm, _ = push_integration(client, editor(client, settings))
        body = {"conversations": [chat("c-1")]}
        wrong = {"Authorization": "Bearer rfi_guess"}
        assert client.post(f"/api/integrations/{crm}/sync", json=body, headers=wrong).status_code == 401
        assert client.post(f"/api/integrations/{crm}/sync", json=body).status_code == 401
        assert [(e.type, e.payload["error"]) for e in events(client)] == [("sync_failed", "authentication failed")]
        clock.advance(61)
        assert client.post(f"/api/integrations/{crm}/syncs", headers=wrong).status_code == 401
        assert [e.type for e in events(client)] == ["sync_failed", "sync_failed"]
        assert count(client, Conversation) == 0

    def test_the_explicit_pair(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        """Start, batches, complete: one sync with every batch's conversations; an ended sync takes no more."""
        crm, token = push_integration(client, editor(client, settings))
        started = client.post(f"/api/integrations/{crm}/syncs", headers=token)
        assert started.status_code == 201
        sync_id = started.json()["id"]
        for batch in ([chat("c-1")], [chat("c-2")]):
            answer = client.post(
                f"/api/integrations/{crm}/syncs/{sync_id}/batches", json={"conversations": batch}, headers=token
            )
            assert answer.status_code == 200, answer.text
        clock.advance(90)
        done = client.post(f"/api/integrations/{crm}/syncs/{sync_id}/complete", headers=token).json()
        assert (done["status"], done["conversation_ids"]) == ("completed", ["c-1", "c-2"])
        assert done["window"]["end"] == "2026-04-01T09:01:30+00:00"
        assert [e.type for e in events(client)] == ["sync_started", "sync_completed"]
        late = client.post(
            f"/api/integrations/{crm}/syncs/{sync_id}/batches", json={"conversations": [chat("c-3")]}, headers=token
        )
        assert late.status_code == 409
        failed = client.post(f"/api/integrations/{crm}/syncs/{sync_id}/fail", json={"error": "x"}, headers=token)
        assert failed.status_code == 409

    def test_a_source_can_fail_its_sync(self, client: TestClient, settings: Settings) -> None:
        """The source gives up: the sync fails with its reason, Sync Failed follows Sync Started."""
        crm, token = push_integration(client, editor(client, settings))
        sync_id = client.post(f"/api/integrations/{crm}/syncs", headers=token).json()["id"]
        failed = client.post(
            f"/api/integrations/{crm}/syncs/{sync_id}/fail", json={"error": "export crashed"}, headers=token
        ).json()
        assert (failed["status"], failed["error"]) == ("failed", "export crashed")
        assert [e.type for e in events(client)] == ["sync_started", "sync_failed"]


class TestSyncNowAndList:
    def test_a_folder_syncs_now_and_lists_its_syncs(
        self, client: TestClient, settings: Settings, tmp_path: Path
    ) -> None:
        """Sync now imports the dropped file as a sync; with nothing new it makes none; a viewer lists the syncs."""
        headers = editor(client, settings)
        drop = tmp_path / "drop"
        drop.mkdir()
        (drop / "a.jsonl").write_text(json.dumps(chat("a-1")) + "\n", encoding="utf-8")
        body = {"name": "calls", "kind": "folder", "config": {"path": str(drop)}}
        calls = client.post("/api/integrations", json=body, headers=headers).json()["id"]
        first = client.post(f"/api/integrations/{calls}/sync-now", headers=headers)
        assert first.status_code == 200, first.text
        # The server's scheduler scans a new folder integration at once too: whichever came first imported the
        # file (the integration's lock makes them take turns), and the file arrived in exactly one sync.
        assert first.json()["sync"] is None or first.json()["sync"]["conversation_ids"] == ["a-1"]
        assert client.post(f"/api/integrations/{calls}/sync-now", headers=headers).json() == {"sync": None}
        add_user(settings, "vi@example.com", Role.VIEWER)
        viewer = sign_in(client, "vi@example.com")
        listed = client.get(f"/api/integrations/{calls}/syncs").json()
        assert [s["conversation_ids"] for s in listed["data"]] == [["a-1"]]
        assert client.post(f"/api/integrations/{calls}/sync-now", headers={"X-CSRF-Token": viewer}).status_code == 403

    def test_a_push_integration_cannot_sync_now_nor_a_folder_take_pushes(
        self, client: TestClient, settings: Settings, tmp_path: Path
    ) -> None:
        """Sync now on a push integration, and a push to a folder integration, are 409."""
        headers = editor(client, settings)
        crm = client.post("/api/integrations", json={"name": "crm", "kind": "push"}, headers=headers).json()
        folder = {"name": "calls", "kind": "folder", "config": {"path": str(tmp_path)}}
        calls = client.post("/api/integrations", json=folder, headers=headers).json()["id"]
        refused = client.post(f"/api/integrations/{crm['id']}/sync-now", headers=headers)
        assert refused.status_code == 409
        assert refused.json()["detail"] == "push integrations sync when their source pushes"
        pushed = client.post(
            f"/api/integrations/{calls}/sync",
            json={"conversations": [chat("c-1")]},
            headers={"Authorization": f"Bearer {crm['token']}"},
        )
        assert pushed.status_code == 409

    def test_syncs_of_an_integration_outside_the_rules_are_not_found(
        self, client: TestClient, settings: Settings
    ) -> None:
        """A user limited to other integrations cannot list this one's syncs."""
        crm, _ = push_integration(client, editor(client, settings))
        add_user(settings, "li@example.com", Role.VIEWER, integrations=["demo"])
        sign_in(client, "li@example.com")
        assert client.get(f"/api/integrations/{crm}/syncs").status_code == 404
