"""A conversation set written to an Excel .xlsx file, streamed with XlsxWriter.

Contract: one sheet "Sheet1" with a bold, frozen header row and typed cells:
- numbers are number cells (integers too — Excel holds them as doubles, exact to 2**53; XlsxWriter
  writes 16 significant digits, Excel shows 15); NaN and
  infinity, which Excel cannot hold, become empty cells rather than failing the export;
- booleans are boolean cells; nulls are empty cells (a row of nulls stores no cells at all);
- datetimes are real Excel dates (`yyyy-mm-dd hh:mm:ss`), shown in UTC and said so in the header
  (`started_at (UTC)`), since Excel has no time zones; Excel keeps about millisecond precision;
- a list of strings is one text cell, its items joined with ", ";
- text is always a text cell, never a formula, number or link (`strings_to_formulas`,
  `strings_to_numbers` and `strings_to_urls` off), so customer text starting with `=` is inert.
Column widths come from the header and the first `SAMPLE_ROWS` values, clamped to
`MIN_WIDTH..MAX_WIDTH`. More data rows than fit a sheet (`max_rows`, Excel's 1,048,576 with the
header) continue on "Sheet2", "Sheet3", … each with its own header.
Memory: XlsxWriter's constant-memory mode flushes each row to a temporary file as the next one
starts, and the set is read `BATCH_ROWS` rows at a time (`iter_slices`), so only one batch of
Python values exists beside the set — never a second copy of a million rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter  # type: ignore[import-untyped]

from redflare.adapters.exportfiles import WrittenFile, selected

EXCEL_MAX_ROWS = 1_048_576
BATCH_ROWS = 10_000
SAMPLE_ROWS = 1_000
MIN_WIDTH, MAX_WIDTH = 10, 60
LIST_SEPARATOR = ", "
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_WIDTH = len("2026-03-02 09:15:00")

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}

Writer = Callable[..., Any]


def _as_written(name: str, dtype: pl.DataType) -> pl.Expr:
    """The column as Python values XlsxWriter takes: naive UTC datetimes, joined lists, finite floats."""
    column = pl.col(name)
    if dtype.is_float():
        return pl.when(column.is_finite()).then(column).alias(name)
    if isinstance(dtype, pl.List):
        return column.cast(pl.List(pl.String)).list.join(LIST_SEPARATOR)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone:
        return column.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return column


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


class _Sheets:
    """Opens sheets as rows arrive: header, freeze and widths on each, a new one when full."""

    def __init__(self, book: Any, headers: list[str], widths: list[int], max_rows: int) -> None:
        self._book, self._headers, self._widths = book, headers, widths
        self._bold = book.add_format({"bold": True})
        self._per_sheet = max_rows - 1  # the header takes a row
        self.sheet: Any = None
        self.row = self._per_sheet + 1  # "full": the first data row opens Sheet1

    def next_row(self) -> int:
        if self.row > self._per_sheet:
            self._open()
        row = self.row
        self.row += 1
        return row

    def _open(self) -> None:
        self.sheet = self._book.add_worksheet()  # Sheet1, Sheet2, … in order
        for index, (header, width) in enumerate(zip(self._headers, self._widths, strict=True)):
            self.sheet.set_column(index, index, width)
            self.sheet.write_string(0, index, header, self._bold)
        self.sheet.freeze_panes(1, 0)
        self.row = 1


def _writers(sheet: Any, dtypes: Sequence[pl.DataType]) -> list[Writer]:
    writers: list[Writer] = []
    for dtype in dtypes:
        if isinstance(dtype, pl.Datetime):
            writers.append(sheet.write_datetime)
        elif dtype == pl.Boolean:
            writers.append(sheet.write_boolean)
        elif dtype.is_numeric():
            writers.append(sheet.write_number)
        else:
            writers.append(sheet.write_string)
    return writers


def write_xlsx(
    frame: pl.DataFrame, path: Path, columns: Sequence[str], *, max_rows: int = EXCEL_MAX_ROWS
) -> WrittenFile:
    """Write `columns` of `frame`, in order, to an .xlsx file at `path` (`max_rows` per sheet, header included)."""
    if max_rows < 2:
        raise ValueError("a sheet needs room for the header and one row")
    chosen = selected(frame, columns)
    dtypes = list(chosen.schema.values())
    headers = [header_of(name, dtype) for name, dtype in chosen.schema.items()]
    sample = chosen.head(SAMPLE_ROWS).select([_as_written(n, d) for n, d in chosen.schema.items()])
    widths = [
        width_of(header, dtype, sample.to_series(i))
        for i, (header, dtype) in enumerate(zip(headers, dtypes, strict=True))
    ]
    book = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    try:
        dates = book.add_format({"num_format": DATE_FORMAT})
        formats = [dates if isinstance(d, pl.Datetime) else None for d in dtypes]
        sheets = _Sheets(book, headers, widths, max_rows)
        if chosen.height == 0:
            sheets.next_row()  # an empty set still gets its sheet and header
        writers: list[Writer] = []
        current = None
        for batch in chosen.iter_slices(n_rows=BATCH_ROWS):
            values = batch.select([_as_written(n, d) for n, d in batch.schema.items()]).get_columns()
            for cells in zip(*(series.to_list() for series in values), strict=True):
                row = sheets.next_row()
                if sheets.sheet is not current:
                    current, writers = sheets.sheet, _writers(sheets.sheet, dtypes)
                for col, value in enumerate(cells):
                    if value is not None:  # an empty cell is simply not written
                        writers[col](row, col, value, formats[col])
    finally:
        book.close()
    return WrittenFile(path=path, rows=chosen.height, bytes=path.stat().st_size)
