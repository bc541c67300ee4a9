"""A conversation set as a run keeps it: in its record (small sets, Arrow IPC stream bytes) or in a Parquet file.

Small sets are most sets of most runs (a sort of ten rows, a filter's handful): writing each to a file of its own
cost more than the step. A set up to `INLINE_MAX_BYTES` (polars' estimate of its size in memory) travels as bytes
with the step's record; a larger one is a file. Either way `read_stored` brings it back.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pyarrow as pa
from polars._typing import PolarsDataType

INLINE_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class StoredSet:
    """Where one set is kept: its file (`path`) or its bytes (`data`) — exactly one of them — and its size in
    memory (estimated, bytes)."""

    path: str | None
    data: bytes | None
    size: int


def is_small(frame: pl.DataFrame) -> bool:
    """Small enough to keep as bytes, and of column types Arrow carries both ways unchanged."""
    return frame.estimated_size() <= INLINE_MAX_BYTES and all(_round_trips(dtype) for dtype in frame.dtypes)


_PLAIN = (
    pl.Boolean,
    pl.Int8,
    pl.Int16,
    pl.Int32,
    pl.Int64,
    pl.UInt8,
    pl.UInt16,
    pl.UInt32,
    pl.UInt64,
    pl.Float32,
    pl.Float64,
    pl.String,
    pl.Date,
    pl.Datetime,
    pl.Duration,
    pl.Time,
    pl.Null,
)


def _round_trips(dtype: PolarsDataType) -> bool:
    if isinstance(dtype, type):  # a bare class (`pl.String`) stands for its instance
        dtype = dtype()
    if isinstance(dtype, pl.List):
        return _round_trips(dtype.inner)
    if isinstance(dtype, pl.Struct):
        return all(_round_trips(field.dtype) for field in dtype.fields)
    return isinstance(dtype, _PLAIN)


def inline(frame: pl.DataFrame) -> StoredSet:
    """The set as bytes: an Arrow IPC stream (its schema and values exactly as they are).

    Encoded and decoded by pyarrow into its own buffers. polars writing into a Python file object calls back into
    Python while holding its own locks: two step threads doing so (a Distribute's groups) deadlocked against each
    other's GIL. And the stream format: for a few rows, the file format costs ten to thirty times more.
    """
    table = frame.to_arrow()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return StoredSet(path=None, data=sink.getvalue().to_pybytes(), size=int(frame.estimated_size()))


def read_stored(path: str | None, data: bytes | None, *, n_rows: int | None = None) -> pl.DataFrame:
    """A kept set: from its bytes, else from its file (OSError or a polars error if the file is gone or broken)."""
    if data is not None:
        frame = pl.from_arrow(pa.ipc.open_stream(pa.py_buffer(data)).read_all())
        assert isinstance(frame, pl.DataFrame)  # a table is a frame (a lone array would be a series)
        return frame if n_rows is None else frame.head(n_rows)
    if path is None:
        raise FileNotFoundError("the set was kept nowhere")
    return pl.read_parquet(path, n_rows=n_rows)
