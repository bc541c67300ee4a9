"""Pricing's view of conversations (`batches.analysable`): read straight from the driver, without the turns."""

from __future__ import annotations

from sqlalchemy import select, update

from redflare.adapters.db.batches import SqlConversations
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.store import Store
from redflare.steps.context import Analysable
from tests.factories import add_conversations


def test_each_found_conversation_in_the_order_asked_with_its_length_audio_and_whether_it_has_turns(
    store: Store,
) -> None:
    ids = add_conversations(store, 4)
    with store.transaction() as session:
        session.execute(
            update(ConversationRow)
            .where(ConversationRow.id == ids[1])
            .values(turns=[], audio="calls/1.wav", duration_s=None)
        )
    asked = [ids[3], "missing", ids[1], ids[0]]
    found = SqlConversations(store.sessions).analysable(asked)
    lengths = dict(zip(ids, _lengths(store, ids), strict=True))
    assert found == [
        Analysable(ids[3], lengths[ids[3]], None, True),
        Analysable(ids[1], None, "calls/1.wav", False),
        Analysable(ids[0], lengths[ids[0]], None, True),
    ]


def test_has_turns_is_a_bool_on_every_database(store: Store) -> None:
    ids = add_conversations(store, 2)
    found = SqlConversations(store.sessions).analysable(ids)
    assert [type(c.has_turns) for c in found] == [bool, bool]


def _lengths(store: Store, ids: list[str]) -> list[float | None]:
    with store.transaction() as session:
        stored = dict(session.execute(select(ConversationRow.id, ConversationRow.duration_s)).tuples().all())
    return [stored[i] for i in ids]
