"""What an engine run produced, read back by value from its store — and compared with a baseline's.

Contract:
- `run_outputs(store, run_id)`: the ids of every conversation set the run's steps stored, in stored
  order, keyed `step` for a step's single `out` port and `step.port` otherwise (`split.A`).
- `stored_scores(store, run_id)`: conversation id → score of every analysis result the run stored.
- `same_scores(ours, theirs)` and `same_ids(ours, theirs)` compare by value and return an
  `Agreement`: what was compared and every difference found (none: the two did the same work).
  Scores must be equal to 1e-9 (the same function on the same input); ids must be the same
  lists, in the same order, for every output the baseline has.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text

from redflare.adapters.db.store import Store
from redflare.sets.stored import read_stored

SHOWN = 3  # differences named per kind; the rest are counted


@dataclass(frozen=True)
class Agreement:
    compared: str
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def __str__(self) -> str:
        if self.ok:
            return f"same by value: {self.compared}"
        return f"DIFFERENT ({self.compared}): " + "; ".join(self.differences)


def run_outputs(store: Store, run_id: str) -> dict[str, list[str]]:
    """Every stored output set of the run, as ids."""
    query = text("SELECT step_id, port, path, data FROM artifacts WHERE run_id = :run ORDER BY id")
    with store.engine.connect() as connection:
        rows = connection.execute(query, {"run": run_id}).all()
    return {
        (step if port == "out" else f"{step}.{port}"): read_stored(path, data)["id"].to_list()
        for step, port, path, data in rows
    }


def stored_scores(store: Store, run_id: str) -> dict[str, float | None]:
    """The run's analysis results: conversation id → score."""
    query = text("SELECT conversation_id, score FROM analysis_results WHERE run_id = :run")
    with store.engine.connect() as connection:
        return {str(row.conversation_id): row.score for row in connection.execute(query, {"run": run_id})}


def _named(items: Sequence[str] | set[str]) -> str:
    shown = sorted(items)[:SHOWN]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more else "")


def _same_score(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def same_scores(ours: Mapping[str, float | None], theirs: Mapping[str, float | None]) -> Agreement:
    """The same ids with the same scores."""
    differences = []
    if only := set(ours) - set(theirs):
        differences.append(f"{len(only):,} ids only in ours ({_named(only)})")
    if only := set(theirs) - set(ours):
        differences.append(f"{len(only):,} ids only in the baseline ({_named(only)})")
    unequal = [i for i in set(ours) & set(theirs) if not _same_score(ours[i], theirs[i])]
    if unequal:
        first = sorted(unequal)[0]
        differences.append(f"{len(unequal):,} scores differ (e.g. {first}: {ours[first]} vs {theirs[first]})")
    return Agreement(f"{len(theirs):,} ids and scores", differences)


def same_ids(ours: Mapping[str, Sequence[str]], theirs: Mapping[str, Sequence[str]]) -> Agreement:
    """For every output the baseline has, the same ids in the same order."""
    differences = []
    for name, expected in theirs.items():
        got = ours.get(name)
        if got is None:
            differences.append(f"{name}: no stored output")
        elif list(got) != list(expected):
            if set(got) == set(expected):
                differences.append(f"{name}: the same {len(got):,} ids in another order")
            else:
                differences.append(f"{name}: {len(got):,} ids against {len(expected):,}")
    sizes = ", ".join(f"{name} {len(ids):,}" for name, ids in theirs.items())
    return Agreement(f"ids of every output ({sizes})", differences)
