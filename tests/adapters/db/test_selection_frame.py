"""Select Conversations' frame: exactly the base columns' types and values, in the same order however it is read."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration
from redflare.adapters.db.selection import SqlConversationSource
from redflare.adapters.db.store import Store
from redflare.domain.columns import BASE_COLUMNS
from redflare.domain.conditions import Group
from redflare.sets.frames import schema_of
from redflare.steps.context import Order, Selection
from tests.factories import T0

# Ties on the start time (broken by id), a start time with microseconds, none at all, and the ids out of order.
ROWS: list[dict[str, Any]] = [
    {"id": "b-2", "started_at": T0, "duration_s": 30.0, "tags": ["vip", "été"]},
    {"id": "a-1", "started_at": T0, "duration_s": None, "tags": []},
    {"id": "c-3", "started_at": T0 + timedelta(seconds=1, microseconds=250), "duration_s": 12.5, "tags": ["x"]},
    {"id": "Z-9", "started_at": None, "duration_s": 7.0, "tags": ["vip"]},
    {"id": "a-0", "started_at": T0 - timedelta(days=2), "duration_s": 600.0, "tags": []},
    {"id": "d-4", "started_at": None, "duration_s": None, "tags": []},
]


@pytest.fixture
def source(store: Store) -> SqlConversationSource:
    with store.transaction() as session:
        integration = Integration(name="demo", kind="import", config={}, created_at=T0)
        session.add(integration)
        session.flush()
        for row in ROWS:
            session.add(
                ConversationRow(
                    integration_id=integration.id,
                    channel="call",
                    agent="Dana Ito",
                    team="Billing",
                    queue=None,
                    outcome="resolved",
                    language="en",
                    extra={},
                    turns=[],
                    imported_at=T0,
                    updated_at=T0,
                    **row,
                )
            )
    return SqlConversationSource(store.sessions)


def expected_order(order: Order) -> list[str]:
    """Start time (newest or oldest first, missing last), then id by code point."""
    known = [row for row in ROWS if row["started_at"] is not None]
    missing = sorted(row["id"] for row in ROWS if row["started_at"] is None)
    by_id = sorted(known, key=lambda row: row["id"])
    in_time = sorted(by_id, key=lambda row: row["started_at"], reverse=order == "newest")
    return [row["id"] for row in in_time] + missing


class TestFrame:
    def test_columns_types_and_values_are_exact(self, source: SqlConversationSource) -> None:
        """Every base column with its set type; times are UTC to the microsecond, tags lists, missing values null."""
        frame = source.select(Selection(integration="demo"))
        assert frame.schema == schema_of(BASE_COLUMNS)
        by_id = {row["id"]: row for row in frame.to_dicts()}
        for row in ROWS:
            got = by_id[row["id"]]
            assert (got["started_at"], got["duration_s"], got["tags"]) == (
                row["started_at"],
                row["duration_s"],
                row["tags"],
            )
            assert (got["integration"], got["channel"], got["queue"], got["language"]) == ("demo", "call", None, "en")
        started = by_id["c-3"]["started_at"]
        assert started is not None
        assert started.tzinfo is not None
        assert started.astimezone(UTC) == datetime(2026, 3, 2, 9, 0, 1, 250, tzinfo=UTC)

    @pytest.mark.parametrize("order", ["newest", "oldest"])
    def test_order_is_the_same_with_and_without_a_cap(self, source: SqlConversationSource, order: Order) -> None:
        """Newest or oldest first, ties by id, no start time last: whether the database or the frame sorts."""
        whole = source.select(Selection(order=order))["id"].to_list()
        capped = source.select(Selection(order=order, limit=4))["id"].to_list()
        assert (whole, capped) == (expected_order(order), expected_order(order)[:4])

    def test_random_order_starts_from_the_ids_in_order(self, source: SqlConversationSource) -> None:
        """A seeded random order shuffles the ids sorted by code point, with or without a cap."""
        ids = sorted(row["id"] for row in ROWS)
        positions = list(range(len(ids)))
        random.Random(5).shuffle(positions)
        shuffled = [ids[i] for i in positions]
        assert source.select(Selection(order="random", seed=5))["id"].to_list() == shuffled
        assert source.select(Selection(order="random", seed=5, limit=3))["id"].to_list() == shuffled[:3]

    def test_a_condition_on_tags_and_nothing_matching(self, source: SqlConversationSource) -> None:
        """Conditions still run in the database; when nothing matches, the set is empty with its columns."""
        vip = Group.model_validate({"rules": [{"field": "tags", "operator": "contains", "value": "vip"}]})
        assert source.select(Selection(condition=vip))["id"].to_list() == ["b-2", "Z-9"]
        nobody = source.select(Selection(integration="nowhere"))
        assert (nobody.height, nobody.schema) == (0, schema_of(BASE_COLUMNS))

    def test_trigger_ids_come_in_the_same_order(self, source: SqlConversationSource) -> None:
        """A trigger's conversations are ordered like any other selection."""
        frame = source.select(Selection(conversation_ids=[row["id"] for row in ROWS], order="oldest"))
        assert frame["id"].to_list() == expected_order("oldest")
        assert frame.schema == schema_of(BASE_COLUMNS)


def test_stored_start_times_read_back_unchanged(store: Store, source: SqlConversationSource) -> None:
    """The frame's start times are the ones the ORM reads, for every row."""
    with store.read() as session:
        stored = dict(session.execute(select(ConversationRow.id, ConversationRow.started_at)).all())
    frame = source.select(Selection())
    assert dict(zip(frame["id"], frame["started_at"], strict=True)) == stored
    assert frame["started_at"].dtype == pl.Datetime("us", "UTC")
