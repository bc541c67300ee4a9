"""Sort with a limit picks the top rows without a full sort, and keeps exactly what the full sort would."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from redflare.domain.conditions import ColumnKind
from redflare.sets.frames import dtype_of
from redflare.steps.sort import Config, apply_sort
from tests.strategies import Row, rows

# A column of every sortable kind; numbers may be NaN (missing, like null), values cluster so ties are common.
COLUMNS = {
    "agent": ColumnKind.TEXT,
    "score": ColumnKind.NUMBER,
    "turns": ColumnKind.NUMBER,
    "greeting": ColumnKind.BOOLEAN,
    "started_at": ColumnKind.DATETIME,
}
SCHEMA = {"id": pl.Int64(), **{name: dtype_of(name, kind) for name, kind in COLUMNS.items()}}


def sort_config(keys: list[tuple[str, str]], limit: int | None) -> Config:
    return Config.model_validate({"by": [{"field": f, "direction": d} for f, d in keys], "limit": limit})


sort_keys = st.lists(st.sampled_from(list(COLUMNS)), min_size=1, max_size=3, unique=True).flatmap(
    lambda names: st.tuples(*[st.tuples(st.just(name), st.sampled_from(["asc", "desc"])) for name in names])
)


class TestTopK:
    @settings(max_examples=300, deadline=None)
    @given(table=rows(COLUMNS, whole={"turns"}, max_size=60), keys=sort_keys, data=st.data())
    def test_equals_the_full_sort_cut_to_the_limit(
        self, table: list[Row], keys: tuple[tuple[str, str], ...], data: st.DataObject
    ) -> None:
        """Any keys, directions, nulls, NaN and ties: the limited sort gives the full sort's first rows, in order."""
        frame = pl.DataFrame(table, schema=SCHEMA)
        limit = data.draw(st.integers(1, max(1, frame.height + 2)), label="limit")
        full = apply_sort(frame, sort_config(list(keys), None))
        top = apply_sort(frame, sort_config(list(keys), limit))
        assert full.head(limit)["id"].to_list() == top["id"].to_list()
        assert full.head(limit).equals(top)
        assert top.schema == frame.schema

    def test_rows_tied_on_every_key_keep_their_input_order(self) -> None:
        """Among equal rows the earlier one wins a place in the top, and they come in input order."""
        frame = pl.DataFrame({"id": list("abcdef"), "score": [1.0, 2.0, 2.0, None, 2.0, 2.0]})
        top = apply_sort(frame, sort_config([("score", "desc")], 3))
        assert top["id"].to_list() == ["b", "c", "e"]

    def test_missing_values_come_last_in_either_direction(self) -> None:
        """Null and NaN never take a top place while a value is left, lowest or highest first."""
        frame = pl.DataFrame({"id": list("abcde"), "score": [None, float("nan"), 3.0, None, 1.0]})
        for direction, expected in (("asc", ["e", "c", "a"]), ("desc", ["c", "e", "a"])):
            top: Any = apply_sort(frame, sort_config([("score", direction)], 3))["id"].to_list()
            assert top[:2] == expected[:2]
            assert top[2] in {"a", "b", "d"}

    def test_a_column_named_like_the_row_number_is_kept(self) -> None:
        """The row number the pick uses never clashes with a column of the set."""
        frame = pl.DataFrame({"__row": [3, 1, 2], "score": [1.0, 3.0, 2.0]})
        top = apply_sort(frame, sort_config([("score", "desc")], 2))
        assert top.to_dict(as_series=False) == {"__row": [1, 2], "score": [3.0, 2.0]}
