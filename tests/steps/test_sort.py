"""Sort: keys in order, each ascending or descending, missing values last, stable, then the top N."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from redflare.domain.columns import BASE_COLUMNS
from redflare.domain.conditions import ColumnKind
from redflare.domain.errors import StepError
from redflare.domain.loading import issues_from_validation_error
from redflare.domain.validation import Environment
from redflare.steps.sort import KIND, Config, SortKey, apply_sort, columns_of, execute

Row = dict[str, Any]


def config(*keys: tuple[str, str], limit: int | None = None) -> Config:
    return Config.model_validate({"by": [{"field": f, "direction": d} for f, d in keys], "limit": limit})


def error_paths(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(data)
    return [issue.path for issue in issues_from_validation_error(caught.value)]


def reference_sort(rows: list[Row], keys: list[tuple[str, str]]) -> list[Row]:
    """Python's stable sort, one pass per key from the last to the first; missing values last."""
    ordered = list(rows)
    for name, direction in reversed(keys):
        if direction == "asc":
            ordered.sort(key=lambda r: (r[name] is None, r[name] if r[name] is not None else 0))
        else:  # reverse=True keeps equal rows in order, and puts present values (True) first
            ordered.sort(key=lambda r: (r[name] is not None, r[name] if r[name] is not None else 0), reverse=True)
    return ordered


class TestConfig:
    def test_needs_at_least_one_key(self) -> None:
        """A sort without a column is refused at its `by` field."""
        assert error_paths({"by": []}) == ["by"]

    def test_a_column_listed_twice_is_refused(self) -> None:
        """Sorting by the same column twice is a mistake the user is told about."""
        assert error_paths({"by": [{"field": "score"}, {"field": "score", "direction": "desc"}]}) == ["by"]

    def test_limit_must_be_positive(self) -> None:
        """ "Keep the top 0" is refused; the limit names its field."""
        assert error_paths({"by": [{"field": "score"}], "limit": 0}) == ["limit"]

    def test_unknown_direction_and_keys_are_errors(self) -> None:
        """A misspelt direction or an unknown key is reported where it is."""
        paths = error_paths({"by": [{"field": "score", "direction": "down"}], "top": 3})
        assert sorted(paths) == ["by[0].direction", "top"]

    def test_direction_defaults_to_ascending(self) -> None:
        """Leaving the direction out sorts lowest first."""
        assert Config.model_validate({"by": [{"field": "score"}]}).by == [SortKey(field="score", direction="asc")]

    def test_every_field_has_title_description_and_helper(self) -> None:
        """The side panel can label and explain every field of the form."""
        schema = KIND.json_schema()
        models = [schema, schema["$defs"]["SortKey"]]
        fields = [field for model in models for field in model["properties"].values()]
        assert len(fields) == 4
        for field in fields:
            assert field.get("title")
            assert field.get("description")
            assert field.get("helper")


class TestColumnsOf:
    def test_known_columns_pass_through_unchanged(self) -> None:
        """Sorting changes no column, and a known key is no problem."""
        columns, problems = columns_of(config(("started_at", "desc")), BASE_COLUMNS, Environment())
        assert (dict(BASE_COLUMNS), []) == (dict(columns), problems)

    def test_unknown_column_is_a_problem_at_its_key(self) -> None:
        """Sorting by a column the set does not have is a publish-time issue naming the key."""
        _, problems = columns_of(config(("agent", "asc"), ("score", "asc")), BASE_COLUMNS, Environment())
        assert problems == [("by[1].field", "unknown column 'score'")]

    def test_list_column_is_a_problem(self) -> None:
        """Tags have no order, so sorting by them is refused."""
        _, problems = columns_of(config(("tags", "asc")), BASE_COLUMNS, Environment())
        assert problems == [("by[0].field", "cannot sort by list column 'tags'")]


class TestApplySort:
    def test_descending_puts_missing_values_last(self) -> None:
        """Highest score first, conversations without a score (null or NaN) at the end."""
        frame = pl.DataFrame({"id": list("abcde"), "score": [3.0, None, math.nan, 9.0, 5.0]})
        assert apply_sort(frame, config(("score", "desc")))["id"].to_list()[:3] == ["d", "e", "a"]
        assert set(apply_sort(frame, config(("score", "desc")))["id"].to_list()[3:]) == {"b", "c"}

    def test_ascending_puts_missing_values_last(self) -> None:
        """Lowest score first never starts with conversations that have no score."""
        frame = pl.DataFrame({"id": list("abcd"), "score": [None, 3.0, math.nan, 1.0]})
        assert apply_sort(frame, config(("score", "asc")))["id"].to_list()[:2] == ["d", "b"]

    def test_later_keys_break_ties_and_equal_rows_keep_their_order(self) -> None:
        """Team A to Z, then score high to low; rows equal on both stay as they came."""
        rows: list[Row] = [
            {"id": "1", "team": "b", "score": 5},
            {"id": "2", "team": "a", "score": 7},
            {"id": "3", "team": "a", "score": 9},
            {"id": "4", "team": "b", "score": 5},
            {"id": "5", "team": None, "score": 1},
            {"id": "6", "team": "a", "score": 7},
        ]
        keys = [("team", "asc"), ("score", "desc")]
        expected = [row["id"] for row in reference_sort(rows, keys)]
        assert expected == apply_sort(pl.DataFrame(rows), config(*keys))["id"].to_list()

    def test_limit_keeps_the_top_rows(self) -> None:
        """Sort by score and keep 2: the two lowest scores."""
        frame = pl.DataFrame({"id": list("abcd"), "score": [4.0, 1.0, 3.0, 2.0]})
        assert apply_sort(frame, config(("score", "asc"), limit=2))["id"].to_list() == ["b", "d"]

    def test_unknown_column_at_run_time_is_an_error(self) -> None:
        """A key the set does not have fails the step instead of sorting by nothing."""
        frame = pl.DataFrame({"id": ["a"]})
        with pytest.raises(StepError, match=r"by\[0\]\.field: unknown column 'score'"):
            apply_sort(frame, config(("score", "asc")))

    def test_every_bad_key_is_named_in_one_error(self) -> None:
        """Two bad keys are both reported at once, in order, and the error is not worth retrying."""
        frame = pl.DataFrame({"id": ["a"], "tags": [["vip"]]})
        with pytest.raises(StepError) as caught:
            apply_sort(frame, config(("score", "asc"), ("tags", "desc")))
        assert (
            str(caught.value) == "by[0].field: unknown column 'score'; by[1].field: cannot sort by list column 'tags'"
        )
        assert caught.value.retryable is False

    def test_empty_set_stays_empty_with_its_columns(self) -> None:
        """Sorting nothing gives nothing, with the same columns."""
        frame = pl.DataFrame(schema={"id": pl.String(), "score": pl.Float64()})
        sorted_frame = apply_sort(frame, config(("score", "desc"), limit=5))
        assert (0, frame.schema) == (sorted_frame.height, sorted_frame.schema)

    @settings(max_examples=150, deadline=None)
    @given(
        rows=st.lists(
            st.fixed_dictionaries(
                {
                    "a": st.none() | st.integers(-3, 3),
                    "b": st.none() | st.sampled_from(["x", "y", "z"]),
                    "c": st.none() | st.booleans(),
                }
            ),
            max_size=40,
        ),
        keys=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True).flatmap(
            lambda names: st.tuples(*[st.tuples(st.just(n), st.sampled_from(["asc", "desc"])) for n in names])
        ),
        limit=st.none() | st.integers(1, 50),
    )
    def test_matches_a_stable_reference_sort(
        self, rows: list[Row], keys: tuple[tuple[str, str], ...], limit: int | None
    ) -> None:
        """Any keys and directions give the order a stable sort with missing values last gives."""
        rows = [{"id": str(i), **row} for i, row in enumerate(rows)]
        schema = {"id": pl.String(), "a": pl.Int64(), "b": pl.String(), "c": pl.Boolean()}
        frame = pl.DataFrame(rows, schema=schema)
        expected = [row["id"] for row in reference_sort(rows, list(keys))][:limit]
        assert expected == apply_sort(frame, config(*keys, limit=limit))["id"].to_list()


class TestExecute:
    def test_hands_on_one_sorted_set(self) -> None:
        """The step's single output is the sorted set."""
        frame = pl.DataFrame({"id": list("abc"), "duration_s": [20.0, 10.0, 30.0]})
        result = execute(None, KIND.parse({"by": [{"field": "duration_s"}]}), frame)  # type: ignore[arg-type]
        assert list(result.outputs) == ["out"]
        assert result.outputs["out"]["id"].to_list() == ["b", "a", "c"]

    def test_no_input_gives_an_empty_set(self) -> None:
        """Without an input there is nothing to sort, and that is not an error."""
        result = execute(None, config(("agent", "asc")), None)  # type: ignore[arg-type]
        assert result.outputs["out"].height == 0
        assert result.outputs["out"].schema["agent"] == pl.String()

    def test_kind_describes_the_step(self) -> None:
        """The registry sees a `sort` step, version 1, with one output and the same columns."""
        assert (KIND.type, KIND.version, KIND.ports(config(("id", "asc")))) == ("sort", 1, ["out"])
        assert KIND.columns(config(("id", "asc")), {"id": ColumnKind.TEXT}, Environment())[0] == {"id": ColumnKind.TEXT}
