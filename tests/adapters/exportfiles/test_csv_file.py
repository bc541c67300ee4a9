"""CSV export: read back with the csv module, every cell is what the documented conversions say."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from redflare.adapters.exportfiles.csv_file import write_csv
from tests.adapters.exportfiles import FORMULA_STARTS, SCHEMA, set_frames


def read_back(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def safe(text: str) -> str:
    return "'" + text if text[:1] and text[0] in FORMULA_STARTS else text


def expected_cell(value: Any, dtype: pl.DataType) -> Any:
    """What the cell should read back as: "" for null, escaped text, joined lists, the value itself."""
    if value is None:
        return ""
    if isinstance(dtype, pl.List):
        return safe("|".join(value))
    if dtype == pl.String:
        return safe(value)
    return value


def parsed(read: str, dtype: pl.DataType) -> Any:
    if read == "" or dtype == pl.String or isinstance(dtype, pl.List):
        return read
    if dtype == pl.Boolean:
        return {"true": True, "false": False}[read]
    if dtype == pl.Int64:
        return int(read)
    if isinstance(dtype, pl.Datetime):
        assert read.endswith("Z")
        return datetime.fromisoformat(read)
    return float(read)


class TestWriteCsv:
    @settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(frame=set_frames())
    def test_every_cell_round_trips(self, frame: pl.DataFrame, tmp_path: Path) -> None:
        """Each cell reads back equal, after escaping, list joining and ISO dates in UTC."""
        path = tmp_path / "set.csv"
        written = write_csv(frame, path, frame.columns)
        lines = read_back(path)
        assert lines[0] == frame.columns
        assert len(lines) - 1 == written.rows == frame.height
        assert written.bytes == path.stat().st_size
        for row, values in zip(lines[1:], frame.iter_rows(), strict=True):
            for read, value, dtype in zip(row, values, SCHEMA.values(), strict=True):
                assert parsed(read, dtype) == expected_cell(value, dtype)

    def test_formula_text_is_escaped_and_numbers_are_not(self, tmp_path: Path) -> None:
        """Customer text like =HYPERLINK(…) gets a leading quote; a negative score stays a number."""
        frame = pl.DataFrame({"text": ["=1+1", "+a", "-b", "@SUM(A1)", "\tx", "\ry", "ok"], "score": [-5.0] * 7})
        path = tmp_path / "set.csv"
        write_csv(frame, path, ["text", "score"])
        rows = read_back(path)[1:]
        assert [r[0] for r in rows] == ["'=1+1", "'+a", "'-b", "'@SUM(A1)", "'\tx", "'\ry", "ok"]
        assert [r[1] for r in rows] == ["-5.0"] * 7
        raw = path.read_text(encoding="utf-8")
        assert '"\'=1+1"' in raw  # the escaped text is also a quoted field
        assert ',"-5.0"' not in raw  # the number is bare, unquoted
        assert ",-5.0" in raw

    def test_columns_are_exported_in_the_order_asked(self, tmp_path: Path) -> None:
        """Only the chosen columns are written, in the order given."""
        frame = pl.DataFrame({"a": [1], "b": ["x"], "c": [True]})
        path = tmp_path / "set.csv"
        write_csv(frame, path, ["c", "a"])
        assert read_back(path) == [["c", "a"], ["true", "1"]]

    def test_unknown_columns_are_named(self, tmp_path: Path) -> None:
        """Asking for columns the set lacks fails, naming each, and writes nothing."""
        frame = pl.DataFrame({"a": [1]})
        path = tmp_path / "set.csv"
        with pytest.raises(ValueError, match="nope, gone"):
            write_csv(frame, path, ["a", "nope", "gone"])
        assert not path.exists()

    def test_empty_set_has_its_header(self, tmp_path: Path) -> None:
        """An empty set gives a valid file with only the header row."""
        frame = pl.DataFrame(schema=SCHEMA)
        path = tmp_path / "set.csv"
        written = write_csv(frame, path, frame.columns)
        assert (read_back(path), written.rows) == ([list(SCHEMA.names())], 0)

    def test_datetimes_are_utc_with_z(self, tmp_path: Path) -> None:
        """A datetime in another zone is written as the same instant in UTC, ending in Z."""
        instant = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
        frame = pl.DataFrame({"at": [instant]}).with_columns(pl.col("at").dt.convert_time_zone("Asia/Tokyo"))
        path = tmp_path / "set.csv"
        write_csv(frame, path, ["at"])
        text = read_back(path)[1][0]
        assert (text.endswith("Z"), datetime.fromisoformat(text)) == (True, instant)
