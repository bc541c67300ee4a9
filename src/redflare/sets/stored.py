"""A conversation set as a run keeps it: in its record (small sets, Arrow IPC stream bytes) or in a Parquet file.

Small sets are most sets of most runs (a sort of ten rows, a filter's handful): writing each to a file of its own
cost more than the step. A set up to `INLINE_MAX_BYTES` (polars' estimate of its size in memory) travels as bytes
with the step's record; a larger one is a file. Either way `read_stored` brings it back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

INLINE_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class StoredSet:
    """Where one set is kept: its file (`path`) or its bytes (`data`) — exactly one of them — and its size in
    memory (estimated, bytes)."""

    path: str | None
    data: bytes | None
    size: int


def is_small(frame: pl.DataFrame) -> bool:
    return frame.estimated_size() <= INLINE_MAX_BYTES


def inline(frame: pl.DataFrame) -> StoredSet:
    """The set as bytes (Arrow IPC: its schema and values exactly as they are). The streaming format: for a few
    rows, writing and reading the file format costs ten to thirty times more (its footer and seekable reads)."""
    buffer = io.BytesIO()
    frame.write_ipc_stream(buffer, compression="uncompressed")
    return StoredSet(path=None, data=buffer.getvalue(), size=int(frame.estimated_size()))


def read_stored(path: str | None, data: bytes | None, *, n_rows: int | None = None) -> pl.DataFrame:
    """A kept set: from its bytes, else from its file (OSError or a polars error if the file is gone or broken)."""
    if data is not None:
        frame = pl.read_ipc_stream(io.BytesIO(data))
        return frame if n_rows is None else frame.head(n_rows)
    if path is None:
        raise FileNotFoundError("the set was kept nowhere")
    return pl.read_parquet(path, n_rows=n_rows)
