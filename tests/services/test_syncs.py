"""The sync lifecycle: each change recorded with its event in the same transaction, in order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import Conversation, SyncEvent
from redflare.adapters.db.store import Store
from redflare.domain.access import AccessRules
from redflare.domain.errors import IllegalTransition, NotFound
from redflare.domain.ports import FixedClock
from redflare.services import syncs
from redflare.services.catalog import create_integration
from tests.factories import add_conversations


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def crm(store: Store, clock: FixedClock) -> int:
    with store.transaction() as session:
        info, _ = create_integration(session, name="crm", kind="push", config={}, now=clock.now())
    return info.id


def events(store: Store) -> list[tuple[str, dict[str, object]]]:
    with store.read() as session:
        return [(e.type, e.payload) for e in session.scalars(select(SyncEvent).order_by(SyncEvent.id))]


class TestLifecycle:
    def test_start_then_complete_emits_both_events_with_the_window(
        self, store: Store, clock: FixedClock, crm: int
    ) -> None:
        """A completed sync carries its window, counts and arrived ids, and so does its Sync Completed event."""
        with store.transaction() as session:
            sync = syncs.start_sync(session, integration_id=crm, now=clock.now())
        clock.advance(30)
        with store.transaction() as session:
            syncs.record_arrivals(
                session,
                sync_id=sync.id,
                counts={"received": 2, "imported": 2},
                arrived=["a", "b"],
                integration_id=crm,
            )
            syncs.record_arrivals(
                session, sync_id=sync.id, counts={"received": 1, "updated": 1}, arrived=["b"], integration_id=crm
            )
            done = syncs.complete_sync(session, sync_id=sync.id, integration_id=crm, now=clock.now())
        window = {"start": "2026-04-01T09:00:00+00:00", "end": "2026-04-01T09:00:30+00:00"}
        assert ("completed", ["a", "b"], window) == (done.status, done.conversation_ids, done.window)
        assert done.counts == {"received": 3, "imported": 2, "updated": 1, "unchanged": 0}
        base = {"integration": "crm", "integration_id": crm, "sync_id": sync.id}
        assert [
            ("sync_started", {**base, "window": {"start": window["start"]}}),
            ("sync_completed", {**base, "window": window, "conversation_ids": ["a", "b"], "counts": done.counts}),
        ] == events(store)

    def test_fail_records_the_error_and_emits_sync_failed(self, store: Store, clock: FixedClock, crm: int) -> None:
        """A failed sync keeps its reason; the Sync Failed event says it too."""
        with store.transaction() as session:
            sync = syncs.start_sync(session, integration_id=crm, now=clock.now())
            failed = syncs.fail_sync(session, sync_id=sync.id, integration_id=crm, error="source down", now=clock.now())
        assert (failed.status, failed.error) == ("failed", "source down")
        assert [t for t, _ in events(store)] == ["sync_started", "sync_failed"]
        assert events(store)[1][1]["error"] == "source down"

    def test_an_ended_sync_cannot_end_again_or_take_batches(self, store: Store, clock: FixedClock, crm: int) -> None:
        """Completing twice, failing after completing, or adding a batch after is refused; no extra event."""
        with store.transaction() as session:
            sync = syncs.start_sync(session, integration_id=crm, now=clock.now())
            syncs.complete_sync(session, sync_id=sync.id, integration_id=crm, now=clock.now())
        for attempt in (
            lambda s: syncs.complete_sync(s, sync_id=sync.id, integration_id=crm, now=clock.now()),
            lambda s: syncs.fail_sync(s, sync_id=sync.id, integration_id=crm, error="x", now=clock.now()),
            lambda s: syncs.record_arrivals(s, sync_id=sync.id, counts={}, arrived=["z"], integration_id=crm),
        ):
            with pytest.raises(IllegalTransition), store.transaction() as session:
                attempt(session)
        assert len(events(store)) == 2

    def test_a_sync_of_another_integration_is_not_found(self, store: Store, clock: FixedClock, crm: int) -> None:
        """A sync id is only good with its own integration."""
        with store.transaction() as session:
            other, _ = create_integration(session, name="other", kind="push", config={}, now=clock.now())
            sync = syncs.start_sync(session, integration_id=crm, now=clock.now())
        with pytest.raises(NotFound), store.transaction() as session:
            syncs.complete_sync(session, sync_id=sync.id, integration_id=other.id, now=clock.now())


class TestRejectedPushes:
    def test_at_most_one_recorded_a_minute(self, store: Store, clock: FixedClock, crm: int) -> None:
        """A refused push is a failed sync with Sync Failed only; more within a minute add nothing."""
        with store.transaction() as session:
            first = syncs.reject_push(session, integration_id=crm, now=clock.now())
        clock.advance(59)
        with store.transaction() as session:
            assert syncs.reject_push(session, integration_id=crm, now=clock.now()) is None
        clock.advance(2)
        with store.transaction() as session:
            later = syncs.reject_push(session, integration_id=crm, now=clock.now())
        assert first is not None
        assert later is not None
        assert (first.status, first.error) == ("failed", syncs.AUTH_FAILED)
        assert [t for t, _ in events(store)] == ["sync_failed", "sync_failed"]


class TestListing:
    def test_newest_first_and_ids_within_the_rules(self, store: Store, clock: FixedClock, crm: int) -> None:
        """Syncs come newest first; a team-restricted reader sees only the ids of their team's conversations."""
        ids = add_conversations(store, 4, integration="crm")
        with store.read() as session:
            teams = dict(session.execute(select(Conversation.id, Conversation.team)).all())
        started = []
        for _ in range(2):
            with store.transaction() as session:
                sync = syncs.start_sync(session, integration_id=crm, now=clock.now())
                syncs.record_arrivals(session, sync_id=sync.id, counts={}, arrived=ids, integration_id=crm)
            started.append(sync.id)
            clock.advance(60)
        team = teams[ids[0]]
        with store.read() as session:
            everything = syncs.list_syncs(session, integration_id=crm, access=AccessRules())
            restricted = syncs.list_syncs(session, integration_id=crm, access=AccessRules(teams=frozenset({team})))
            with pytest.raises(NotFound):
                syncs.list_syncs(session, integration_id=crm, access=AccessRules(integrations=frozenset({"demo"})))
        assert list(reversed(started)) == [s.id for s in everything]
        assert [i for i in ids if teams[i] == team] == restricted[0].conversation_ids
