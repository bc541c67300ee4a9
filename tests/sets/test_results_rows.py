"""Compact result rows make the same frame as records read value by value."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from redflare.sets.results import results_frame, rows_frame

maybe_float = st.none() | st.floats(allow_nan=False, allow_infinity=False)
maybe_int = st.none() | st.integers(0, 10_000)
criteria_names = st.lists(st.sampled_from(["greet", "close", "empathy", "hold"]), unique=True, max_size=3)


@st.composite
def rows_and_criteria(draw: st.DrawFn) -> tuple[list[tuple[Any, ...]], list[str]]:
    criteria = draw(criteria_names)
    row = st.tuples(
        st.text(min_size=1, max_size=6),  # id
        maybe_float,  # score
        maybe_float,  # sentiment
        st.none() | st.sampled_from(["negative", "neutral", "positive"]),
        st.floats(0, 1000),  # credits, as a float
        maybe_float,  # talk ratio
        maybe_int,  # turns
        maybe_float,  # silence
        maybe_float,  # longest silence
        maybe_int,  # interruptions
        maybe_float,  # agent response
        *[st.none() | st.booleans() for _ in criteria],
    )
    return draw(st.lists(row, max_size=5)), criteria


@given(rows_and_criteria(), st.sampled_from(["default-qa", "noop"]))
def test_rows_frame_is_results_frame(drawn: tuple[list[tuple[Any, ...]], list[str]], pipeline: str) -> None:
    rows, criteria = drawn
    records = [(*row[:8], dict(zip(criteria, row[11:], strict=True)), *row[8:11]) for row in rows]
    assert_frame_equal(rows_frame(rows, pipeline, criteria), results_frame(records, pipeline, criteria))
