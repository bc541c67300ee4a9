"""Tests of the export writers; `set_frames` draws small conversation sets of every column kind."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from hypothesis import strategies as st

SCHEMA = pl.Schema(
    {
        "id": pl.String(),
        "started_at": pl.Datetime("us", "UTC"),
        "score": pl.Float64(),
        "turns": pl.Int64(),
        "criterion.greeting": pl.Boolean(),
        "tags": pl.List(pl.String()),
    }
)
FORMULA_STARTS = "=+-@\t\r"

# Customer text: anything encodable, with formula starts made likely.
_texts = st.text(st.characters(codec="utf-8"), max_size=12) | st.builds(
    str.__add__, st.sampled_from(FORMULA_STARTS), st.text(st.characters(codec="utf-8"), max_size=8)
)
# Floats stay within ±1e300: Excel holds up to ~1e308 and XlsxWriter rounds to 16 digits.
_row = st.fixed_dictionaries(
    {
        "id": st.none() | _texts,
        "started_at": st.none() | st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
        "score": st.none() | st.floats(-1e300, 1e300),
        "turns": st.none() | st.integers(-(2**53), 2**53),
        "criterion.greeting": st.none() | st.booleans(),
        "tags": st.none() | st.lists(_texts, max_size=3),
    }
)


@st.composite
def set_frames(draw: st.DrawFn) -> pl.DataFrame:
    """A conversation set of 0–6 rows over every column kind, nulls included."""
    return pl.DataFrame(draw(st.lists(_row, max_size=6)), schema=SCHEMA)
