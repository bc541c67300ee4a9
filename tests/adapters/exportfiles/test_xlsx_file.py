"""Excel export: read back with openpyxl, cells are typed, never formulas, and the sheet is usable."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from redflare.adapters.exportfiles.xlsx_file import MAX_WIDTH, MIN_WIDTH, write_xlsx
from tests.adapters.exportfiles import SCHEMA, set_frames

# OOXML writes characters XML cannot hold as _xHHHH_; Excel decodes them, openpyxl leaves them.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def decoded(text: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def open_sheets(path: Path) -> list[Worksheet]:
    return list(openpyxl.load_workbook(path).worksheets)


def data_rows(sheet: Worksheet, rows: int | None = None) -> list[tuple[Any, ...]]:
    """Values of the data rows; `rows` counts trailing all-empty rows, which a sheet does not store."""
    last = sheet.max_row if rows is None else rows + 1
    return [
        tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=2, max_row=last, max_col=sheet.max_column)
    ]


def assert_cell_matches(read: Any, value: Any, dtype: pl.DataType) -> None:
    if value is None:
        assert read is None
    elif isinstance(dtype, pl.Datetime):  # naive UTC; Excel keeps about a millisecond
        assert abs(read - value.astimezone(UTC).replace(tzinfo=None)) <= timedelta(milliseconds=1)
    elif isinstance(dtype, pl.List):
        assert decoded(read or "") == ", ".join(value)
    elif dtype == pl.String:
        assert decoded(read or "") == value
    elif dtype == pl.Boolean:
        assert read is value
    else:  # XlsxWriter writes 16 significant digits (Excel shows 15)
        assert type(read) is not bool
        assert math.isclose(read, value, rel_tol=1e-15)


class TestWriteXlsx:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(frame=set_frames())
    def test_every_cell_round_trips(self, frame: pl.DataFrame, tmp_path: Path) -> None:
        """Each cell reads back equal and typed; none is a formula, whatever the text starts with."""
        path = tmp_path / "set.xlsx"
        written = write_xlsx(frame, path, frame.columns)
        (sheet,) = open_sheets(path)
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        assert sheet.max_row <= frame.height + 1
        rows = data_rows(sheet, frame.height)
        assert written.rows == frame.height
        for read_row, values in zip(rows, frame.iter_rows(), strict=True):
            for read, value, dtype in zip(read_row, values, SCHEMA.values(), strict=True):
                assert_cell_matches(read, value, dtype)

    def test_formula_text_is_written_as_text(self, tmp_path: Path) -> None:
        """=, +, -, @ text stays the exact text in a text cell; a negative number stays a number."""
        texts = ["=1+1", "+a", "-b", "@SUM(A1)", '=HYPERLINK("http://x")', "http://example.com", "12"]
        frame = pl.DataFrame({"text": texts, "score": [-5.0] * len(texts)})
        path = tmp_path / "set.xlsx"
        write_xlsx(frame, path, ["text", "score"])
        (sheet,) = open_sheets(path)
        cells = list(sheet.iter_rows(min_row=2))
        assert [(c.value, c.data_type) for c, _ in cells] == [(t, "s") for t in texts]
        assert [(s.value, s.data_type) for _, s in cells] == [(-5, "n")] * len(texts)

    def test_header_is_bold_and_frozen_with_utc_dates(self, tmp_path: Path) -> None:
        """The header row is bold and frozen; a datetime column says its times are UTC."""
        frame = pl.DataFrame(schema=SCHEMA)
        path = tmp_path / "set.xlsx"
        write_xlsx(frame, path, ["id", "started_at"])
        (sheet,) = open_sheets(path)
        header = next(sheet.iter_rows(max_row=1))
        assert [c.value for c in header] == ["id", "started_at (UTC)"]
        assert all(c.font.b for c in header)
        assert sheet.freeze_panes == "A2"

    def test_dates_are_excel_dates(self, tmp_path: Path) -> None:
        """A datetime is a date cell with a date format, showing the UTC time."""
        instant = datetime(2026, 3, 2, 9, 15, 30, tzinfo=UTC)
        frame = pl.DataFrame({"at": [instant]}).with_columns(pl.col("at").dt.convert_time_zone("Europe/Paris"))
        path = tmp_path / "set.xlsx"
        write_xlsx(frame, path, ["at"])
        cell = open_sheets(path)[0]["A2"]
        assert (cell.data_type, cell.is_date, cell.value) == ("d", True, instant.replace(tzinfo=None))

    def test_widths_follow_content_within_bounds(self, tmp_path: Path) -> None:
        """Every column gets a width between the bounds; a long text column is wider than a short one."""
        frame = pl.DataFrame({"a": ["x"], "long": ["y" * 500], "mid": ["z" * 30]})
        path = tmp_path / "set.xlsx"
        write_xlsx(frame, path, frame.columns)
        (sheet,) = open_sheets(path)
        widths: dict[int, float] = {}
        for dim in sheet.column_dimensions.values():
            for index in range(dim.min or column_index_from_string(dim.index), (dim.max or 0) + 1):
                widths[index] = dim.width
        assert sorted(widths) == [1, 2, 3]
        assert all(MIN_WIDTH <= w <= MAX_WIDTH + 1 for w in widths.values())  # +1: Excel's padding
        assert widths[1] < widths[3] < widths[2]

    def test_rows_beyond_a_sheet_continue_on_the_next(self, tmp_path: Path) -> None:
        """Past the per-sheet limit rows go on Sheet2, Sheet3…, each with its header, none lost."""
        frame = pl.DataFrame({"n": list(range(7))})
        path = tmp_path / "set.xlsx"
        written = write_xlsx(frame, path, ["n"], max_rows=4)
        sheets = open_sheets(path)
        assert [s.title for s in sheets] == ["Sheet1", "Sheet2", "Sheet3"]
        assert all((s["A1"].value, s.freeze_panes) == ("n", "A2") for s in sheets)
        assert [v for s in sheets for (v,) in data_rows(s)] == list(range(7))
        assert written.rows == 7

    def test_empty_set_has_its_header(self, tmp_path: Path) -> None:
        """An empty set gives a valid workbook with the header row and no data."""
        path = tmp_path / "set.xlsx"
        written = write_xlsx(pl.DataFrame(schema=SCHEMA), path, list(SCHEMA.names()))
        (sheet,) = open_sheets(path)
        assert (sheet.max_row, written.rows) == (1, 0)
        assert sheet["A1"].value == "id"

    def test_unknown_columns_are_named(self, tmp_path: Path) -> None:
        """Asking for columns the set lacks fails, naming them, and writes no file."""
        path = tmp_path / "set.xlsx"
        with pytest.raises(ValueError, match="missing"):
            write_xlsx(pl.DataFrame({"a": [1]}), path, ["missing"])
        assert not path.exists()

    def test_nan_and_infinity_become_empty_cells(self, tmp_path: Path) -> None:
        """Numbers Excel cannot hold leave the cell empty rather than failing or writing a formula."""
        frame = pl.DataFrame({"x": [float("nan"), float("inf"), 1.5]})
        path = tmp_path / "set.xlsx"
        write_xlsx(frame, path, ["x"])
        assert data_rows(open_sheets(path)[0]) == [(None,), (None,), (1.5,)]
