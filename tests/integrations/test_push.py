"""Pushed batches: validated whole (nothing stored on any problem), one sync each, ids that arrived new or changed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from redflare.adapters.db.orm import Conversation, Sync
from redflare.adapters.db.store import Store
from redflare.domain.errors import Conflict, InvalidInput
from redflare.domain.ports import FixedClock
from redflare.integrations import push
from redflare.services.catalog import create_integration
from tests.factories import add_conversations
from tests.integrations.conftest import chat, event_types


@pytest.fixture
def crm(store: Store, clock: FixedClock) -> int:
    with store.transaction() as session:
        info, _ = create_integration(session, name="crm", kind="push", config={}, now=clock.now())
    return info.id


def pushed(store: Store, crm: int, items: list[object], clock: FixedClock) -> push.SyncInfo:
    with store.transaction() as session:
        return push.push_batch(session, integration_id=crm, items=items, now=clock.now())


class TestPushBatch:
    def test_a_batch_is_one_completed_sync(self, store: Store, clock: FixedClock, crm: int) -> None:
        """Three new conversations: one sync, all three arrived, Sync Started then Completed."""
        sync = pushed(store, crm, [chat("c-1"), chat("c-2"), chat("c-3")], clock)
        assert sync.status == "completed"
        assert sync.conversation_ids == ["c-1", "c-2", "c-3"]
        assert sync.counts == {"received": 3, "imported": 3, "updated": 0, "unchanged": 0}
        assert event_types(store) == ["sync_started", "sync_completed"]

    def test_a_repeated_batch_brings_nothing_new(self, store: Store, clock: FixedClock, crm: int) -> None:
        """The same batch again completes with no arrived ids; one changed conversation arrives alone."""
        batch = [chat("c-1"), chat("c-2")]
        pushed(store, crm, batch, clock)
        clock.advance(60)
        again = pushed(store, crm, batch, clock)
        assert (again.status, again.conversation_ids) == ("completed", [])
        assert again.counts == {"received": 2, "imported": 0, "updated": 0, "unchanged": 2}
        changed = pushed(store, crm, [chat("c-1"), chat("c-2", text="Sorry, let me check.")], clock)
        assert changed.conversation_ids == ["c-2"]
        assert changed.counts == {"received": 2, "imported": 0, "updated": 1, "unchanged": 1}
        assert event_types(store) == ["sync_started", "sync_completed"] * 3

    def test_a_bad_batch_lists_every_problem_and_stores_nothing(
        self, store: Store, clock: FixedClock, crm: int
    ) -> None:
        """Missing id, bad channel, a time without a zone: each named by index and field; no sync, no rows."""
        no_id = chat("x")
        del no_id["id"]
        items = [chat("ok"), no_id, chat("c-2", channel="fax"), chat("c-3", started_at="2026-03-02T09:15:00"), 7]
        with pytest.raises(InvalidInput) as refused, store.transaction() as session:
            push.push_batch(session, integration_id=crm, items=items, now=clock.now())
        paths = [issue.path for issue in refused.value.issues]
        assert paths == [
            "conversations[1].id",
            "conversations[2].channel",
            "conversations[3].started_at",
            "conversations[4]",
        ]
        assert "zone" in refused.value.issues[2].message
        with store.read() as session:
            assert session.scalar(select(func.count()).select_from(Conversation)) == 0
            assert session.scalar(select(func.count()).select_from(Sync)) == 0
        assert event_types(store) == []

    def test_ids_of_another_integration_and_differing_repeats_are_problems(
        self, store: Store, clock: FixedClock, crm: int
    ) -> None:
        """An id another integration owns, or one id twice with different content, refuses the batch."""
        add_conversations(store, 1, integration="demo", prefix="d")
        items = [chat("d-00000"), chat("c-1"), chat("c-1", text="other")]
        with pytest.raises(InvalidInput) as refused, store.transaction() as session:
            push.push_batch(session, integration_id=crm, items=items, now=clock.now())
        assert [(i.path, i.message) for i in refused.value.issues] == [
            ("conversations[2].id", "c-1 is also conversations[1], differently"),
            ("conversations[0].id", "d-00000 belongs to integration demo"),
        ]

    def test_a_folder_integration_takes_no_pushes(self, store: Store, clock: FixedClock) -> None:
        """Pushing to a folder integration is a conflict."""
        with store.transaction() as session:
            folder, _ = create_integration(session, name="calls", kind="folder", config={"path": "/x"}, now=clock.now())
        with pytest.raises(Conflict), store.transaction() as session:
            push.push_batch(session, integration_id=folder.id, items=[chat("c-1")], now=clock.now())


class TestExplicitPair:
    def test_batches_add_up_into_one_sync(self, store: Store, clock: FixedClock, crm: int) -> None:
        """Start, two batches, complete: one sync holding both batches' arrivals; a bad batch changes nothing."""
        with store.transaction() as session:
            sync = push.open_sync(session, integration_id=crm, now=clock.now())
        with store.transaction() as session:
            push.add_batch(session, integration_id=crm, sync_id=sync.id, items=[chat("c-1")], now=clock.now())
        with pytest.raises(InvalidInput), store.transaction() as session:
            push.add_batch(
                session, integration_id=crm, sync_id=sync.id, items=[chat("c-9", channel="fax")], now=clock.now()
            )
        with store.transaction() as session:
            push.add_batch(
                session, integration_id=crm, sync_id=sync.id, items=[chat("c-2"), chat("c-1")], now=clock.now()
            )
        clock.advance(120)
        with store.transaction() as session:
            done = push.complete(session, integration_id=crm, sync_id=sync.id, now=clock.now())
        assert done.conversation_ids == ["c-1", "c-2"]
        assert done.counts == {"received": 3, "imported": 2, "updated": 0, "unchanged": 1}
        assert done.window == {"start": "2026-04-01T09:00:00+00:00", "end": "2026-04-01T09:02:00+00:00"}
        assert event_types(store) == ["sync_started", "sync_completed"]
        with pytest.raises(Conflict), store.transaction() as session:
            push.add_batch(session, integration_id=crm, sync_id=sync.id, items=[chat("c-3")], now=clock.now())
