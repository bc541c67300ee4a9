"""Merging sync firings into the waiting one keeps every conversation once, in arrival order, and every sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from redflare.triggers.coalesce import merge_sync_payload

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@st.composite
def syncs(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Sync Completed payloads, in the order their syncs ended: ids from a small pool (so syncs share some)."""
    count = draw(st.integers(min_value=1, max_value=12))
    payloads = []
    for number in range(count):
        start = T0 + timedelta(seconds=draw(st.integers(0, 3600)))
        end = start + timedelta(seconds=draw(st.integers(0, 600)))
        ids = draw(st.lists(st.sampled_from([f"c{i}" for i in range(15)]), max_size=6, unique=True))
        payloads.append(
            {
                "integration": "alpha",
                "sync_id": f"s{number}",
                "window": {"start": start.isoformat(), "end": end.isoformat()},
                "conversation_ids": ids,
                "counts": {"received": len(ids), "imported": len(ids)},
            }
        )
    return payloads


def merged(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    first, *later = payloads
    result = first
    for payload in later:
        result = merge_sync_payload(result, f"sync:{payload['sync_id']}:sync_completed", payload)
    return result


@given(syncs())
def test_every_conversation_once_in_arrival_order(payloads: list[dict[str, Any]]) -> None:
    arrived = [i for p in payloads for i in p["conversation_ids"]]
    assert merged(payloads)["conversation_ids"] == list(dict.fromkeys(arrived))


@given(syncs())
def test_every_sync_is_named_and_the_window_spans_them(payloads: list[dict[str, Any]]) -> None:
    result = merged(payloads)
    if len(payloads) > 1:
        assert result["sync_ids"] == [p["sync_id"] for p in payloads]
        assert result["covers"] == [f"sync:{p['sync_id']}:sync_completed" for p in payloads[1:]]
        assert result["counts"]["imported"] == sum(len(p["conversation_ids"]) for p in payloads)
    starts = [datetime.fromisoformat(p["window"]["start"]) for p in payloads]
    ends = [datetime.fromisoformat(p["window"]["end"]) for p in payloads]
    assert datetime.fromisoformat(result["window"]["start"]) == min(starts)
    assert datetime.fromisoformat(result["window"]["end"]) == max(ends)


def test_an_open_window_stays_open_and_failures_keep_every_reason() -> None:
    waiting = {"sync_id": "s1", "window": {"start": T0.isoformat(), "end": None}, "error": "a.jsonl:2: not JSON"}
    arriving = {"sync_id": "s2", "window": {"start": T0.isoformat(), "end": T0.isoformat()}, "error": "b.csv: empty"}
    result = merge_sync_payload(waiting, "sync:s2:sync_failed", arriving)
    assert result["window"]["end"] is None
    assert result["errors"] == ["a.jsonl:2: not JSON", "b.csv: empty"]
    assert result["error"] == "a.jsonl:2: not JSON"  # the waiting one's own, as before
