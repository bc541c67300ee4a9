"""A conversation set written to an Excel .xlsx file by rustpy-xlsxwriter (rust_xlsxwriter, from Arrow).

Contract: one sheet "Sheet1" with a bold, frozen header row and typed cells:
- numbers are number cells (integers too — Excel holds them as doubles, exact to 2**53; Excel shows
  15 significant digits); NaN and infinity, which Excel cannot hold, become empty cells rather than
  failing the export;
- booleans are boolean cells; nulls are empty cells (a row of nulls stores no cells at all);
- datetimes are real Excel dates (`yyyy-mm-dd hh:mm:ss`), shown in UTC and said so in the header
  (`started_at (UTC)`), since Excel has no time zones; Excel keeps about millisecond precision;
- a list of strings is one text cell, its items joined with ", " (an empty list, an empty cell);
- text is always a text cell, never a formula, number or link, so customer text starting with `=` is inert.
Column widths come from the header and the first `SAMPLE_ROWS` values, clamped to
`MIN_WIDTH..MAX_WIDTH`. More data rows than fit a sheet (`max_rows`, Excel's 1,048,576 with the
header) continue on "Sheet2", "Sheet3", … each with its own header.
Speed and memory: the set goes to Rust through Arrow without a Python value per cell (about 9× the
rows per second of XlsxWriter cell by cell: bench/exports.py), each sheet in constant-memory mode.
Only the columns that need converting (zoned datetimes, lists, floats) are copied; the rest are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import rustpy_xlsxwriter

from redflare.adapters.exportfiles import WrittenFile, selected

EXCEL_MAX_ROWS = 1_048_576
SAMPLE_ROWS = 1_000
MIN_WIDTH, MAX_WIDTH = 10, 60
LIST_SEPARATOR = ", "
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_WIDTH = len("2026-03-02 09:15:00")
MICROSECONDS_PER_DAY = 86_400_000_000
UNIX_EPOCH_SERIAL = 25_569  # 1970-01-01 in Excel's day numbers
FIRST_TRUE_SERIAL = 61  # 1900-03-01: from here on Excel's day numbers match the calendar


def _as_written(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column as the writer takes it: naive UTC datetimes, joined lists, finite floats (else null)."""
    column = pl.col(name)
    if dtype.is_float():
        return pl.when(column.is_finite()).then(column).alias(name)
    if isinstance(dtype, pl.List):
        return column.cast(pl.List(pl.String)).list.join(LIST_SEPARATOR)
    if isinstance(dtype, pl.Datetime):
        return _excel_serial(column.dt.convert_time_zone("UTC") if dtype.time_zone else column).alias(name)
    return column


def _excel_serial(utc: pl.Expr) -> pl.Expr:
    """A UTC datetime as Excel's date number (days since 1899-12-30), written as a number in a date format.

    The writer's own datetime cells keep whole seconds only; a number keeps Excel's millisecond. Before
    1900-03-01 Excel counts a 29 February 1900 that never was, so its numbers there are one less.
    """
    days = utc.dt.epoch("us") / MICROSECONDS_PER_DAY + UNIX_EPOCH_SERIAL
    return pl.when(days < FIRST_TRUE_SERIAL).then(days - 1).otherwise(days)


def header_of(name: str, dtype: pl.DataType) -> str:
    """The header cell: the column name, with "(UTC)" for a datetime."""
    return f"{name} (UTC)" if isinstance(dtype, pl.Datetime) else name


def width_of(header: str, dtype: pl.DataType, sample: pl.Series) -> int:
    """A column width in characters from its header and a sample of values, clamped."""
    if isinstance(dtype, pl.Datetime):
        widest = DATE_WIDTH
    else:
        lengths = sample.cast(pl.String).str.len_chars() if sample.len() else pl.Series([0])
        widest = int(lengths.max() or 0)  # type: ignore[arg-type]
    return max(MIN_WIDTH, min(MAX_WIDTH, max(len(header), widest) + 2))


def write_xlsx(
    frame: pl.DataFrame, path: Path, columns: Sequence[str], *, max_rows: int = EXCEL_MAX_ROWS
) -> WrittenFile:
    """Write `columns` of `frame`, in order, to an .xlsx file at `path` (`max_rows` per sheet, header included)."""
    if max_rows < 2:
        raise ValueError("a sheet needs room for the header and one row")
    chosen = selected(frame, columns)
    dtypes = list(chosen.schema.values())
    headers = [header_of(name, dtype) for name, dtype in chosen.schema.items()]
    written = chosen.select(
        [
            _as_written(name, dtype).alias(header)
            for (name, dtype), header in zip(chosen.schema.items(), headers, strict=True)
        ]
    )
    sample = written.head(SAMPLE_ROWS)
    widths = [
        float(width_of(header, dtype, sample.to_series(i)))
        for i, (header, dtype) in enumerate(zip(headers, dtypes, strict=True))
    ]
    per_sheet = max_rows - 1  # the header takes a row
    sheets: list[tuple[str, Any]] = [  # (name, rows): the stub types the rows as records or any frame
        (f"Sheet{number}", written.slice(start, per_sheet))
        for number, start in enumerate(range(0, max(written.height, 1), per_sheet), start=1)
    ]
    date_format = rustpy_xlsxwriter.Format().set_num_format(DATE_FORMAT)
    dates = {
        header: date_format for header, dtype in zip(headers, dtypes, strict=True) if isinstance(dtype, pl.Datetime)
    }
    rustpy_xlsxwriter.write_worksheets(
        sheets,
        str(path),
        freeze_panes={"general": {"row": 1, "col": 0}},
        bold_headers=True,
        column_widths={name: widths for name, _ in sheets},
        column_formats={name: dates for name, _ in sheets},
    )
    return WrittenFile(path=path, rows=chosen.height, bytes=path.stat().st_size)
