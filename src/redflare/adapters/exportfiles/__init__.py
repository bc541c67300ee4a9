"""Export files: a conversation set written to CSV or .xlsx for people to open (issue P3).

Contract: `csv_file.write_csv(frame, path, columns)` and `xlsx_file.write_xlsx(frame, path, columns)`
write `columns` of `frame`, in that order, with a header row, and answer a `WrittenFile`. A column
the frame does not have is a `ValueError` naming it, before any file is created. Text cells are
made safe against formula injection (`escaping`), since conversation text is customer-controlled.
No storage, email or step logic lives here: the Schedule Export step hands over a local path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl


@dataclass(frozen=True)
class WrittenFile:
    """What a writer produced."""

    path: Path
    """Where the file is."""
    rows: int
    """Data rows written (the header not counted)."""
    bytes: int
    """Size of the file on disk."""


def selected(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """The export's columns in order; a ValueError naming every column the set does not have."""
    unknown = [name for name in columns if name not in frame.schema]
    if unknown:
        raise ValueError(f"columns not in the set: {', '.join(unknown)}")
    if not columns:
        raise ValueError("an export needs at least one column")
    # select() shares the column buffers with `frame`: no copy of the data is made here.
    return frame.select(list(columns))
