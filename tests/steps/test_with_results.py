"""Process Conversations' output: the input rows that have a result, with its columns, as the join makes them."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from redflare.steps.process_conversations import with_results

ids = st.lists(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=8)


def joined(frame: pl.DataFrame, results: pl.DataFrame) -> pl.DataFrame:
    """What the output always was: the join."""
    keep = [c for c in frame.columns if c == "id" or c not in results.columns]
    return frame.select(keep).join(results, on="id", how="inner", maintain_order="left")


@given(ids, ids, st.booleans())
def test_the_output_is_the_join_whatever_the_ids(input_ids: list[str], result_ids: list[str], shuffled: bool) -> None:
    """Results for every row, in another order, missing some, repeated, or for rows not in the input."""
    frame = pl.DataFrame(
        {"id": input_ids, "agent": [f"agent {i}" for i in input_ids], "score": [0.0] * len(input_ids)},
        schema={"id": pl.String, "agent": pl.String, "score": pl.Float64},
    )
    chosen = list(reversed(result_ids)) if shuffled else result_ids
    results = pl.DataFrame(
        {"id": chosen, "score": [float(len(i)) for i in chosen], "turns": list(range(len(chosen)))},
        schema={"id": pl.String, "score": pl.Float64, "turns": pl.Int64},
    )
    assert_frame_equal(with_results(frame, results), joined(frame, results))


@given(st.permutations(["a", "b", "c", "d", "e"]))
def test_every_row_with_one_result_in_any_order(order: list[str]) -> None:
    """The usual run: the fast way, still the join's rows in the input's order."""
    frame = pl.DataFrame({"id": ["a", "b", "c", "d", "e"], "channel": ["chat"] * 5})
    results = pl.DataFrame({"id": order, "score": [float(ord(i)) for i in order]})
    assert_frame_equal(with_results(frame, results), joined(frame, results))
