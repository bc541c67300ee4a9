"""A kept set comes back exactly as it was, whether it was kept as bytes or in a file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from polars.testing import assert_frame_equal
from polars.testing.parametric import dataframes

from redflare.sets.stored import INLINE_MAX_BYTES, inline, is_small, read_stored

# The column types a conversation set holds (`is_small` sends any other to a file).
SET_TYPES: list[pl.DataType | type[pl.DataType]] = [
    pl.Boolean,
    pl.Int64,
    pl.Int32,
    pl.UInt32,
    pl.Float64,
    pl.String,
    pl.Date,
    pl.Datetime("us", "UTC"),
    pl.Duration,
    pl.List(pl.String),
    pl.List(pl.Float64),
    pl.Struct({"a": pl.Int64, "b": pl.String}),
]
set_frames = dataframes(max_size=30, allow_null=True, allowed_dtypes=SET_TYPES)


@settings(max_examples=60, deadline=None)
@given(set_frames)
def test_bytes_bring_back_the_same_frame(frame: pl.DataFrame) -> None:
    assert is_small(frame)
    kept = inline(frame)
    assert kept.path is None
    assert_frame_equal(read_stored(kept.path, kept.data), frame)


@given(set_frames)
def test_a_preview_is_the_first_rows(frame: pl.DataFrame) -> None:
    kept = inline(frame)
    assert_frame_equal(read_stored(None, kept.data, n_rows=3), frame.head(3))


def test_a_large_set_is_not_small() -> None:
    """Past the threshold a set goes to a file (the engine writes it in the background)."""
    rows = INLINE_MAX_BYTES // 8 + 1
    assert is_small(pl.DataFrame({"x": range(10)}))
    assert not is_small(pl.DataFrame({"x": pl.Series(range(rows), dtype=pl.Int64)}))


def test_a_type_arrow_would_change_goes_to_a_file() -> None:
    assert not is_small(pl.DataFrame({"x": pl.Series([1, 2], dtype=pl.Int128)}))
    assert not is_small(pl.DataFrame({"x": pl.Series(["a"], dtype=pl.Categorical)}))


def test_a_file_is_read_when_there_are_no_bytes(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": ["a", "b"], "score": [1.5, None]})
    path = tmp_path / "out.parquet"
    frame.write_parquet(path)
    assert_frame_equal(read_stored(str(path), None), frame)


def test_a_set_kept_nowhere_is_an_error() -> None:
    with pytest.raises(FileNotFoundError, match="kept nowhere"):
        read_stored(None, None)
