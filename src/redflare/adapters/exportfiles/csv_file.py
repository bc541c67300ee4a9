"""A conversation set written to a CSV file.

Contract: UTF-8, a header row, RFC 4180 quoting with every text field in double quotes (numbers
bare; a null is an empty, unquoted field). Conversions, so a reader knows what to expect:
- text is escaped against formula injection (`escaping.escape_text`), header names too;
- a list of strings becomes one text field, its items joined with `|`;
- a datetime becomes ISO 8601 in UTC with a `Z` (`2026-03-02T09:15:00.5Z`; fraction only when
  there is one);
- booleans are `true` / `false`; numbers are written as polars writes them (shortest round-trip).
Memory: the escaped, joined and formatted columns are built once as new columns beside the
set's own (numbers and booleans are shared, not copied); polars' `write_csv` then streams them
to the file in batches, so the whole CSV text is never held in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from redflare.adapters.exportfiles import WrittenFile, selected
from redflare.adapters.exportfiles.escaping import escape_expr, escape_text

LIST_SEPARATOR = "|"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.fZ"


def _as_written(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if isinstance(dtype, pl.List):
        return escape_expr(column.cast(pl.List(pl.String)).list.join(LIST_SEPARATOR))
    if isinstance(dtype, pl.Datetime):
        in_utc = column.dt.convert_time_zone("UTC") if dtype.time_zone else column
        return in_utc.dt.strftime(DATETIME_FORMAT)
    if dtype == pl.String:
        return escape_expr(column)
    return column


def write_csv(frame: pl.DataFrame, path: Path, columns: Sequence[str]) -> WrittenFile:
    """Write `columns` of `frame`, in order, to a CSV file at `path`."""
    chosen = selected(frame, columns)
    written = chosen.select(
        [_as_written(name, dtype).alias(escape_text(name)) for name, dtype in chosen.schema.items()]
    )
    written.write_csv(path, include_header=True, quote_style="non_numeric", line_terminator="\r\n")
    return WrittenFile(path=path, rows=written.height, bytes=path.stat().st_size)
