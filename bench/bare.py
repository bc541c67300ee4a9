"""Bare scripts: the benchmark's DAGs done by hand — sqlite3 into polars, no engine, nothing stored.

Contract:
- `bare_dag(database)` does what the no-op DAG (`bench.workflows.appendix_a(NOOP)`) does, on the same
  SQLite file: select the benchmark integration's conversations the `noop` pipeline's current version
  has no result for, newest first (ties by id), into a polars frame with the select step's columns
  (tags decoded, started_at a UTC datetime); filter duration_s < 80; sort that by duration_s (stable)
  and keep 20; split every selected row 50/30/20 after the seeded shuffle. A no-op analysis adds
  nothing, so the selected set is also the processed one. Returns the ids of every output, keyed as
  `bench.outputs.run_outputs` keys the engine's (`pick`, `analyse`, `low`, `worst`, `split.A`, …).
- `bare_chain(database, steps)` does what `bench.workflows.chain(steps)` does: select every
  conversation of the integration, then `steps - 1` stable sorts by duration_s; the last one's ids.
- `seeded_split(frame, shares, seed)`: the Distribute step's percentage split written out: sizes by
  largest remainder, rows taken in the order of one 64-bit little-endian key per row drawn from
  `random.Random(seed)` (ties by row), handed out in blocks, each group keeping input order.
"""

from __future__ import annotations

import array
import math
import random
import sqlite3
import sys
from fractions import Fraction
from pathlib import Path

import polars as pl

from bench.baseline import SEED, SHARES, WORST
from bench.synthetic import INTEGRATION
from bench.workflows import NOOP, NOOP_BELOW, NOOP_FIELD

Outputs = dict[str, list[str]]

_COLUMNS = ["id", "integration", "channel", "started_at", "duration_s", "agent", "team", "queue", "tags", "outcome"]
_COLUMNS += ["language"]
_SELECT = """
SELECT c.id, i.name, c.channel, c.started_at, c.duration_s, c.agent, c.team, c.queue, c.tags, c.outcome, c.language
FROM conversations AS c JOIN integrations AS i ON i.id = c.integration_id
WHERE i.name = ? {unprocessed}
ORDER BY c.started_at DESC, c.id
"""
_UNPROCESSED = """AND NOT EXISTS (
    SELECT 1 FROM analysis_results AS r
    WHERE r.conversation_id = c.id AND r.pipeline_id = ? AND r.pipeline_version = ?)"""


def _frame(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=_COLUMNS, orient="row")
    return frame.with_columns(
        pl.col("tags").str.json_decode(pl.List(pl.String)),
        pl.col("started_at").str.to_datetime(time_zone="UTC"),
    )


def _select(database: Path, *, unprocessed_by: str | None) -> pl.DataFrame:
    with sqlite3.connect(database) as connection:
        if unprocessed_by is None:
            rows = connection.execute(_SELECT.format(unprocessed=""), (INTEGRATION,)).fetchall()
        else:
            pipeline = connection.execute(
                "SELECT id, current_version FROM pipelines WHERE name = ?", (unprocessed_by,)
            ).fetchone()
            query = _SELECT.format(unprocessed=_UNPROCESSED)
            rows = connection.execute(query, (INTEGRATION, *pipeline)).fetchall()
    connection.close()
    return _frame(rows)


def _largest_remainder(total: int, shares: list[int]) -> list[int]:
    quotas = [Fraction(total * share, sum(shares)) for share in shares]
    sizes = [math.floor(quota) for quota in quotas]
    for g in sorted(range(len(shares)), key=lambda g: (sizes[g] - quotas[g], g))[: total - sum(sizes)]:
        sizes[g] += 1
    return sizes


def seeded_split(frame: pl.DataFrame, shares: dict[str, int], seed: int) -> dict[str, pl.DataFrame]:
    """The rows of each group, in input order, after a seeded shuffle and a largest-remainder split."""
    keys = array.array("Q")
    keys.frombytes(random.Random(seed).randbytes(8 * frame.height))
    if sys.byteorder == "big":
        keys.byteswap()
    # where each row falls in the shuffled order: by key, ties by row
    position = pl.Series(keys, dtype=pl.UInt64).rank("ordinal") - 1
    sizes = _largest_remainder(frame.height, list(shares.values()))
    ends = [sum(sizes[: g + 1]) for g in range(len(sizes))]
    return {
        name: frame.filter((position >= end - size) & (position < end))
        for name, size, end in zip(shares, sizes, ends, strict=True)
    }


def bare_dag(database: Path) -> Outputs:
    """The no-op DAG by hand; every output's ids."""
    selected = _select(database, unprocessed_by=NOOP.name)
    low = selected.filter(pl.col(NOOP_FIELD) < NOOP_BELOW)
    worst = low.sort(NOOP_FIELD, nulls_last=True, maintain_order=True).head(WORST)
    groups = seeded_split(selected, SHARES, SEED)
    ids = selected["id"].to_list()
    outputs: Outputs = {"pick": ids, "analyse": ids, "low": low["id"].to_list(), "worst": worst["id"].to_list()}
    outputs.update({f"split.{name}": group["id"].to_list() for name, group in groups.items()})
    return outputs


def bare_chain(database: Path, steps: int) -> list[str]:
    """The chain of `steps` trivial steps by hand; the last one's ids."""
    frame = _select(database, unprocessed_by=None)
    for _ in range(steps - 1):
        frame = frame.sort(NOOP_FIELD, nulls_last=True, maintain_order=True)
    return list(frame["id"].to_list())
