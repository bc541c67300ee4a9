"""Sync firings that wait together: one run stands for every sync it absorbed (pure).

With the overlap policy "queue", a workflow keeps one firing waiting behind its running run. A sync that fires
meanwhile is not dropped: its firing is merged into the waiting one, whose run then gathers every conversation
those syncs brought — each once, in the order they arrived — over the window from the first sync's start to the
last one's end. `covers` lists the keys of the firings merged in, so the firings list can say what the run stands
for; `sync_ids` lists every sync, the waiting one's first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def merge_sync_payload(waiting: Mapping[str, Any], key: str, arriving: Mapping[str, Any]) -> dict[str, Any]:
    """The waiting firing's payload once the firing `key` with payload `arriving` is merged into it."""
    merged = dict(waiting)
    merged["covers"] = [*waiting.get("covers", []), key]
    merged["sync_ids"] = [*waiting.get("sync_ids", [waiting.get("sync_id")]), arriving.get("sync_id")]
    if "conversation_ids" in waiting or "conversation_ids" in arriving:
        ids = [*waiting.get("conversation_ids", []), *arriving.get("conversation_ids", [])]
        merged["conversation_ids"] = list(dict.fromkeys(ids))
    window = _window(waiting.get("window"), arriving.get("window"))
    if window is not None:
        merged["window"] = window
    counts = _sum_counts(waiting.get("counts"), arriving.get("counts"))
    if counts is not None:
        merged["counts"] = counts
    if "files" in waiting or "files" in arriving:
        merged["files"] = list(dict.fromkeys([*waiting.get("files", []), *arriving.get("files", [])]))
    if "error" in arriving:  # a failed sync's reason: every one of them, the waiting one's first
        merged["errors"] = [*waiting.get("errors", [waiting["error"]] if "error" in waiting else []), arriving["error"]]
    return merged


def _window(first: Any, second: Any) -> dict[str, Any] | None:
    """From the earliest start to the latest end (ISO 8601 texts in UTC compare in time order); an open end stays
    open."""
    windows = [w for w in (first, second) if isinstance(w, Mapping)]
    if not windows:
        return None
    starts = [str(w["start"]) for w in windows if w.get("start")]
    ends = [w.get("end") for w in windows]
    end = None if any(e is None for e in ends) else max(str(e) for e in ends)
    return {"start": min(starts) if starts else None, "end": end}


def _sum_counts(first: Any, second: Any) -> dict[str, int] | None:
    counts = [c for c in (first, second) if isinstance(c, Mapping)]
    if not counts:
        return None
    total: dict[str, int] = {}
    for count in counts:
        for name, value in count.items():
            if isinstance(value, int) and not isinstance(value, bool):
                total[name] = total.get(name, 0) + value
    return total
