"""Filter: keep the rows that match a condition, in order, with a kept/dropped tally and checked columns."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from redflare.domain.columns import BASE_COLUMNS, analysis_columns
from redflare.domain.conditions import ColumnKind, Group
from redflare.domain.errors import InvalidInput, StepError
from redflare.domain.loading import issues_from_validation_error
from redflare.domain.validation import Environment
from redflare.sets.frames import schema_of
from redflare.steps.filter import KIND, TYPE, VERSION, Config, apply_filter, columns_of, execute
from tests.strategies import CONDITION_COLUMNS, WHOLE_NUMBER_COLUMNS, ConditionCase, condition_cases

COLUMNS = {**BASE_COLUMNS, **analysis_columns(["greeting"])}
SCORES = {"c1": 55.0, "c2": 70.0, "c3": None, "c4": 90.5, "c5": 12.0}


def conversations() -> pl.DataFrame:
    rows = [dict.fromkeys(COLUMNS) | {"id": id_, "score": score} for id_, score in SCORES.items()]
    return pl.DataFrame(rows, schema=schema_of(COLUMNS))


def config(*rules: dict[str, Any], **group: Any) -> Config:
    return Config.model_validate({"condition": {"rules": list(rules), **group}})


def error_paths(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(data)
    return [issue.path for issue in issues_from_validation_error(caught.value)]


class TestConfig:
    def test_example_from_the_spec_parses(self) -> None:
        """The appendix-A filter (score < 70) is a valid config."""
        parsed = KIND.parse(
            {"condition": {"combinator": "and", "rules": [{"field": "score", "operator": "<", "value": 70}]}}
        )
        assert ("filter", 1, len(parsed.condition.rules)) == (TYPE, VERSION, 1)

    def test_condition_is_required(self) -> None:
        """A filter without a condition is reported at its `condition` field."""
        assert error_paths({}) == ["condition"]

    def test_unknown_keys_are_errors(self) -> None:
        """A misspelt key is refused where it is, inside the condition too."""
        assert error_paths({"condition": {"rules": []}, "where": 1}) == ["where"]
        assert error_paths({"condition": {"rules": [], "negate": True}}) == ["condition.negate"]

    def test_not_is_read_from_the_wire_name(self) -> None:
        """`not: true` (react-querybuilder's key) negates the group."""
        assert Config.model_validate({"condition": {"not": True, "rules": []}}).condition.not_

    def test_condition_has_title_description_and_helper(self) -> None:
        """The side panel gets a title, a description and helper text for the condition."""
        field = KIND.json_schema()["properties"]["condition"]
        assert all(isinstance(field.get(key), str) and field[key] for key in ("title", "description", "helper"))


class TestColumnsOf:
    def test_columns_pass_through(self) -> None:
        """A filter drops rows, never columns."""
        columns, problems = columns_of(config({"field": "score", "operator": "<", "value": 70}), COLUMNS, Environment())
        assert (dict(columns), problems) == (COLUMNS, [])

    def test_unknown_column_is_a_problem_with_its_path(self) -> None:
        """A rule on a column the input lacks (score before processing) is reported at its field."""
        _, problems = columns_of(
            config({"field": "agent", "operator": "notNull"}, {"field": "score", "operator": "<", "value": 70}),
            BASE_COLUMNS,
            Environment(),
        )
        assert [path for path, _ in problems] == ["condition.rules[1].field"]
        assert "score" in problems[0][1]

    def test_nested_rule_that_does_not_fit_its_column(self) -> None:
        """An operator the column's kind lacks, deep in a group, is reported at its operator."""
        nested = {"combinator": "or", "rules": [{"field": "tags", "operator": "<", "value": "vip"}]}
        _, problems = columns_of(config({"field": "agent", "operator": "null"}, nested), COLUMNS, Environment())
        assert [path for path, _ in problems] == ["condition.rules[1].rules[0].operator"]


class TestApplyFilter:
    def test_keeps_matching_rows_in_order_with_every_column(self) -> None:
        """score < 70 keeps c1 and c5 as they came, with all their columns; the empty score is dropped."""
        frame = conversations()
        kept = apply_filter(frame, Group.model_validate({"rules": [{"field": "score", "operator": "<", "value": 70}]}))
        assert (["c1", "c5"], frame.schema) == (kept["id"].to_list(), kept.schema)

    def test_negated_condition_still_skips_missing_values(self) -> None:
        """not (score < 70) keeps c2 and c4, not c3 which has no score."""
        condition = Group.model_validate({"not": True, "rules": [{"field": "score", "operator": "<", "value": 70}]})
        assert apply_filter(conversations(), condition)["id"].to_list() == ["c2", "c4"]

    def test_condition_that_does_not_fit_is_refused(self) -> None:
        """Filtering on a column the frame lacks raises instead of returning nothing."""
        with pytest.raises(InvalidInput):
            apply_filter(conversations(), Group.model_validate({"rules": [{"field": "csat", "operator": "null"}]}))

    @settings(max_examples=60, deadline=None)
    @given(condition_cases(CONDITION_COLUMNS, whole=WHOLE_NUMBER_COLUMNS))
    def test_keeps_a_subsequence_decided_row_by_row(self, case: ConditionCase) -> None:
        """Kept rows stay in input order, and whether a row is kept depends on that row alone."""
        frame = pl.DataFrame(case.rows, schema=schema_of({"id": ColumnKind.NUMBER, **CONDITION_COLUMNS}))
        kept = apply_filter(frame, case.condition)["id"].to_list()
        one_by_one = [
            row["id"]
            for row in case.rows
            if apply_filter(pl.DataFrame([row], schema=frame.schema), case.condition).height
        ]
        assert one_by_one == kept


class TestExecute:
    def test_tally_counts_kept_and_dropped(self) -> None:
        """The step hands on the matches and says how many it kept and dropped."""
        result = execute(None, config({"field": "score", "operator": ">=", "value": 55}), conversations())  # type: ignore[arg-type]
        (frame,) = result.outputs.values()
        assert (frame["id"].to_list(), result.tally) == (["c1", "c2", "c4"], {"kept": 3, "dropped": 2})

    def test_missing_column_fails_the_step_with_its_path(self) -> None:
        """At run time a rule on a column the set lacks is an error naming the rule, not an empty set."""
        with pytest.raises(StepError, match=r"condition\.rules\[0\]\.field"):
            execute(None, config({"field": "csat", "operator": ">", "value": 3}), conversations())  # type: ignore[arg-type]
