"""A kept set comes back exactly as it was, whether it was kept as bytes or in a file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from polars.testing import assert_frame_equal
from polars.testing.parametric import dataframes

from redflare.sets.stored import INLINE_MAX_BYTES, inline, is_small, read_stored


@settings(max_examples=60, deadline=None)
@given(dataframes(max_size=30, allow_null=True))
def test_bytes_bring_back_the_same_frame(frame: pl.DataFrame) -> None:
    kept = inline(frame)
    assert kept.path is None
    assert_frame_equal(read_stored(kept.path, kept.data), frame)


@given(dataframes(max_size=30, allow_null=True))
def test_a_preview_is_the_first_rows(frame: pl.DataFrame) -> None:
    kept = inline(frame)
    assert_frame_equal(read_stored(None, kept.data, n_rows=3), frame.head(3))


def test_a_large_set_is_not_small() -> None:
    """Past the threshold a set goes to a file (the engine writes it in the background)."""
    rows = INLINE_MAX_BYTES // 8 + 1
    assert is_small(pl.DataFrame({"x": range(10)}))
    assert not is_small(pl.DataFrame({"x": pl.Series(range(rows), dtype=pl.Int64)}))


def test_a_file_is_read_when_there_are_no_bytes(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": ["a", "b"], "score": [1.5, None]})
    path = tmp_path / "out.parquet"
    frame.write_parquet(path)
    assert_frame_equal(read_stored(str(path), None), frame)


def test_a_set_kept_nowhere_is_an_error() -> None:
    with pytest.raises(FileNotFoundError, match="kept nowhere"):
        read_stored(None, None)
