"""The polars compiler of conditions: each operator on each kind, nulls, negation, and a reference model."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from redflare.domain.conditions import ColumnKind, Group, Operator, Rule
from redflare.domain.errors import InvalidInput
from redflare.domain.loading import issues_from_validation_error
from redflare.sets.conditions import fold_ascii, split_negation, to_polars
from redflare.sets.frames import schema_of
from tests.strategies import CONDITION_COLUMNS, WHOLE_NUMBER_COLUMNS, ConditionCase, condition_cases, texts


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


CONVERSATIONS: list[dict[str, Any]] = [
    {
        "id": "c1",
        "agent": "Dana Ito",
        "team": "Billing",
        "score": 55.0,
        "turns": 12,
        "greeting": True,
        "started_at": _at("2026-03-01T23:30:00+00:00"),
        "tags": ["vip", "refund"],
    },
    {
        "id": "c2",
        "agent": "dana",
        "team": "billing",
        "score": 70.0,
        "turns": 3,
        "greeting": False,
        "started_at": _at("2026-03-02T00:00:00+00:00"),
        "tags": [],
    },
    {
        "id": "c3",
        "agent": None,
        "team": "Sales",
        "score": None,
        "turns": None,
        "greeting": None,
        "started_at": None,
        "tags": None,
    },
    {
        "id": "c4",
        "agent": "50%_off",
        "team": "Él",
        "score": 90.5,
        "turns": 7,
        "greeting": True,
        "started_at": _at("2026-03-02T09:15:00+00:00"),
        "tags": ["VIP"],
    },
    {
        "id": "c5",
        "agent": "Émile",
        "team": "",
        "score": 70.0,
        "turns": 0,
        "greeting": False,
        "started_at": _at("2026-03-03T12:00:00+00:00"),
        "tags": ["refund"],
    },
]
COLUMNS = {"id": ColumnKind.TEXT, **CONDITION_COLUMNS}
FRAME = pl.DataFrame(CONVERSATIONS, schema=schema_of(COLUMNS))


def _matching(condition: dict[str, Any]) -> list[str]:
    group = Group.model_validate(condition)
    return FRAME.filter(to_polars(group, COLUMNS))["id"].to_list()


def _one(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"rules": [{"field": field, "operator": operator, "value": value}]}


class TestToPolarsOnText:
    @pytest.mark.parametrize(
        ("operator", "value", "expected"),
        [
            ("=", "dana", ["c2"]),
            ("!=", "dana", ["c1", "c4", "c5"]),
            ("contains", "DANA", ["c1", "c2"]),
            ("doesNotContain", "dana", ["c4", "c5"]),
            ("beginsWith", "d", ["c1", "c2"]),
            ("endsWith", "ITO", ["c1"]),
            ("contains", "%", ["c4"]),
            ("contains", "_", ["c4"]),
            ("contains", "%_O", ["c4"]),
            ("beginsWith", "_", []),
            ("endsWith", "%", []),
            ("contains", "é", []),
            ("contains", "É", ["c5"]),
            ("<", "a", ["c1", "c4"]),
            (">=", "dana", ["c2", "c5"]),
            ("between", ["D", "e"], ["c1", "c2"]),
            ("notBetween", ["D", "e"], ["c4", "c5"]),
            ("between", ["e", "D"], []),
            ("in", ["dana", "Émile", "nobody"], ["c2", "c5"]),
            ("notIn", ["dana", "Émile", "nobody"], ["c1", "c4"]),
            ("in", [], []),
            ("notIn", [], ["c1", "c2", "c4", "c5"]),
            ("null", None, ["c3"]),
            ("notNull", None, ["c1", "c2", "c4", "c5"]),
        ],
    )
    def test_operator_on_agent(self, operator: str, value: Any, expected: list[str]) -> None:
        """Text equality is exact, substring tests ignore ASCII case only, order is by code point."""
        assert expected == _matching(_one("agent", operator, value))

    def test_wildcards_in_values_are_literal(self) -> None:
        """A value with % or _ matches only texts that hold those characters."""
        assert _matching(_one("agent", "beginsWith", "50%_")) == ["c4"]
        assert _matching(_one("agent", "beginsWith", "5_")) == []

    def test_empty_text_is_a_value_not_missing(self) -> None:
        """An empty text is equal to "" and is not null."""
        assert _matching(_one("team", "=", "")) == ["c5"]
        assert _matching(_one("team", "null")) == []

    def test_non_ascii_letters_keep_their_case(self) -> None:
        """Case folding covers A–Z only, on every backend alike: "él" does not find "Él"."""
        assert _matching(_one("team", "contains", "él")) == []
        assert _matching(_one("team", "contains", "Él")) == ["c4"]


class TestToPolarsOnNumbers:
    @pytest.mark.parametrize(
        ("operator", "value", "expected"),
        [
            ("<", 70, ["c1"]),
            ("<=", 70, ["c1", "c2", "c5"]),
            (">", 70, ["c4"]),
            (">=", 70.0, ["c2", "c4", "c5"]),
            ("=", 70, ["c2", "c5"]),
            ("!=", 70, ["c1", "c4"]),
            ("between", [55, 70], ["c1", "c2", "c5"]),
            ("notBetween", [55, 70], ["c4"]),
            ("in", [55, 90.5], ["c1", "c4"]),
            ("notIn", [55, 90.5], ["c2", "c5"]),
            ("null", None, ["c3"]),
            ("notNull", None, ["c1", "c2", "c4", "c5"]),
        ],
    )
    def test_operator_on_score(self, operator: str, value: Any, expected: list[str]) -> None:
        """Numbers compare numerically; a missing score matches nothing but `null`."""
        assert expected == _matching(_one("score", operator, value))

    def test_whole_number_column_compares_with_fractions(self) -> None:
        """An integer column (turns) compares with 2.5 and with lists of numbers as numbers."""
        assert _matching(_one("turns", ">", 2.5)) == ["c1", "c2", "c4"]
        assert _matching(_one("turns", "in", [0, 7.0, 2.5])) == ["c4", "c5"]


class TestToPolarsOnBooleans:
    @pytest.mark.parametrize(
        ("operator", "value", "expected"),
        [
            ("=", True, ["c1", "c4"]),
            ("=", False, ["c2", "c5"]),
            ("!=", True, ["c2", "c5"]),
            ("null", None, ["c3"]),
            ("notNull", None, ["c1", "c2", "c4", "c5"]),
        ],
    )
    def test_operator_on_greeting(self, operator: str, value: Any, expected: list[str]) -> None:
        """Pass/fail columns match true or false; a missing one matches only `null`."""
        assert expected == _matching(_one("greeting", operator, value))


class TestToPolarsOnDates:
    @pytest.mark.parametrize(
        ("operator", "value", "expected"),
        [
            ("<", "2026-03-02", ["c1"]),
            ("<=", "2026-03-02", ["c1", "c2"]),
            ("=", "2026-03-02T01:00:00+01:00", ["c2"]),
            ("=", "2026-03-02T00:00:00Z", ["c2"]),
            (">", "2026-03-02T09:15:00Z", ["c5"]),
            (">=", "2026-03-02T09:15:00Z", ["c4", "c5"]),
            ("!=", "2026-03-02T09:15:00Z", ["c1", "c2", "c5"]),
            ("between", ["2026-03-02", "2026-03-02T23:59:59Z"], ["c2", "c4"]),
            ("notBetween", ["2026-03-02", "2026-03-02T23:59:59Z"], ["c1", "c5"]),
            ("in", ["2026-03-02T09:15:00Z", "2026-03-03T07:00:00-05:00"], ["c4", "c5"]),
            ("notIn", ["2026-03-02T09:15:00Z", "2026-03-03T07:00:00-05:00"], ["c1", "c2"]),
            ("null", None, ["c3"]),
        ],
    )
    def test_operator_on_started_at(self, operator: str, value: Any, expected: list[str]) -> None:
        """Dates compare as UTC instants; a plain date is midnight UTC; 'Z' and offsets both work."""
        assert expected == _matching(_one("started_at", operator, value))


class TestToPolarsOnLists:
    @pytest.mark.parametrize(
        ("operator", "value", "expected"),
        [
            ("contains", "vip", ["c1"]),
            ("contains", "VIP", ["c4"]),
            ("contains", "vi", []),
            ("doesNotContain", "vip", ["c4", "c5"]),
            ("null", None, ["c2", "c3"]),
            ("notNull", None, ["c1", "c4", "c5"]),
        ],
    )
    def test_operator_on_tags(self, operator: str, value: Any, expected: list[str]) -> None:
        """`contains` on tags means "has this exact tag"; an empty list counts as missing."""
        assert expected == _matching(_one("tags", operator, value))


class TestToPolarsOnGroups:
    def test_and_group(self) -> None:
        """All rules of an `and` group must match."""
        condition = {
            "combinator": "and",
            "rules": [
                {"field": "score", "operator": "<", "value": 80},
                {"field": "team", "operator": "contains", "value": "bill"},
            ],
        }
        assert _matching(condition) == ["c1", "c2"]

    def test_or_group(self) -> None:
        """Any rule of an `or` group may match."""
        condition = {
            "combinator": "or",
            "rules": [
                {"field": "agent", "operator": "=", "value": "dana"},
                {"field": "tags", "operator": "contains", "value": "refund"},
            ],
        }
        assert _matching(condition) == ["c1", "c2", "c5"]

    def test_unknown_or_true_matches(self) -> None:
        """A missing value in one branch of an `or` does not stop the other branch matching."""
        condition = {
            "combinator": "or",
            "rules": [
                {"field": "agent", "operator": "=", "value": "x"},
                {"field": "team", "operator": "=", "value": "Sales"},
            ],
        }
        assert _matching(condition) == ["c3"]

    def test_negated_group_leaves_missing_values_unmatched(self) -> None:
        """`not (agent = dana)` matches the other agents, not the conversation with no agent."""
        condition = {"not": True, "rules": [{"field": "agent", "operator": "=", "value": "dana"}]}
        assert _matching(condition) == ["c1", "c4", "c5"]

    def test_negated_or_group(self) -> None:
        """`not (a or b)` matches rows where both are known to fail."""
        condition = {
            "not": True,
            "combinator": "or",
            "rules": [
                {"field": "agent", "operator": "contains", "value": "dana"},
                {"field": "score", "operator": ">", "value": 80},
            ],
        }
        assert _matching(condition) == ["c5"]

    def test_negated_group_with_null_tests(self) -> None:
        """`null` is never unknown, so a negated group of it decides every row."""
        condition = {
            "not": True,
            "combinator": "or",
            "rules": [
                {"field": "agent", "operator": "null"},
                {"field": "score", "operator": ">", "value": 80},
            ],
        }
        assert _matching(condition) == ["c1", "c2", "c5"]

    def test_nested_groups(self) -> None:
        """Groups nest: no vip tag (and some tag at all), and a score of at least 70."""
        condition = {
            "rules": [
                {
                    "not": True,
                    "combinator": "or",
                    "rules": [
                        {"field": "tags", "operator": "contains", "value": "vip"},
                        {"field": "tags", "operator": "null"},
                    ],
                },
                {"field": "score", "operator": ">=", "value": 70},
            ]
        }
        assert _matching(condition) == ["c4", "c5"]

    @pytest.mark.parametrize(
        ("condition", "expected"),
        [
            ({"combinator": "and", "rules": []}, ["c1", "c2", "c3", "c4", "c5"]),
            ({"combinator": "or", "rules": []}, ["c1", "c2", "c3", "c4", "c5"]),
            ({"not": True, "rules": []}, []),
        ],
    )
    def test_empty_group(self, condition: dict[str, Any], expected: list[str]) -> None:
        """An empty group matches everything; negated, nothing."""
        assert expected == _matching(condition)


class TestToPolarsRefuses:
    @pytest.mark.parametrize(
        ("rule", "path"),
        [
            ({"field": "csat", "operator": "=", "value": 4}, "rules[0].field"),
            ({"field": "score", "operator": "contains", "value": "7"}, "rules[0].operator"),
            ({"field": "started_at", "operator": "<", "value": "2026-03-02T10:00"}, "rules[0].value"),
        ],
    )
    def test_condition_that_does_not_fit(self, rule: dict[str, Any], path: str) -> None:
        """A rule on an unknown column, a wrong operator or a zoneless date is refused with its path."""
        with pytest.raises(InvalidInput) as raised:
            to_polars(Group.model_validate({"rules": [rule]}), COLUMNS)
        assert [path] == [issue.path for issue in raised.value.issues]


class TestMalformedRules:
    @pytest.mark.parametrize(
        ("tree", "expected"),
        [
            ({"rules": [{"field": "score", "operator": ">"}]}, [("condition.rules[0]", "operator '>' needs a value")]),
            (
                {"rules": [{"field": "score", "operator": ">", "value": 1, "colour": "red"}]},
                [("condition.rules[0].colour", "Unknown setting 'colour' in rule 1.")],
            ),
            (
                {"rules": [{"combinator": "or", "rules": [{"field": "score", "operator": "~", "value": 1}]}]},
                [("condition.rules[0].rules[0].operator", None)],
            ),
        ],
    )
    def test_a_bad_rule_gets_its_own_error_once(
        self, tree: dict[str, Any], expected: list[tuple[str, str | None]]
    ) -> None:
        """A malformed rule is told as a rule (or a nested group as a group), not as every kind it might have been."""
        with pytest.raises(ValidationError) as raised:
            Group.model_validate(tree)
        issues = issues_from_validation_error(raised.value, prefix="condition")
        assert [issue.path for issue in issues] == [path for path, _ in expected]
        for issue, (_, message) in zip(issues, expected, strict=True):
            assert message is None or issue.message == message


# A reference model written straight from the documented semantics, in SQL's three-valued logic:
# None is "unknown", a group's `not` maps unknown to unknown, and only True is a match.
def _reference(group: Group, row: dict[str, Any]) -> bool | None:
    results = [_reference(rule, row) if isinstance(rule, Group) else _reference_rule(rule, row) for rule in group.rules]
    answer: bool | None
    if not results:
        answer = True
    elif group.combinator == "and":
        answer = False if False in results else (None if None in results else True)
    else:
        answer = True if True in results else (None if None in results else False)
    if group.not_ and answer is not None:
        answer = not answer
    return answer


def _lower_ascii(text: str) -> str:
    return "".join(chr(ord(ch) + 32) if "A" <= ch <= "Z" else ch for ch in text)


def _instant(value: str) -> datetime:
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    return datetime.fromisoformat(value)


def _reference_rule(rule: Rule, row: dict[str, Any]) -> bool | None:
    stored = row[rule.field]
    missing = stored is None or stored == [] or (isinstance(stored, float) and math.isnan(stored))
    if rule.operator is Operator.NULL:
        return missing
    if rule.operator is Operator.NOT_NULL:
        return not missing
    if missing:
        return None
    kind = CONDITION_COLUMNS[rule.field]
    if kind is ColumnKind.TEXT_LIST:
        return (rule.value in stored) == (rule.operator is Operator.CONTAINS)

    def convert(value: Any) -> Any:
        if kind is ColumnKind.DATETIME:
            return _instant(value)
        return float(value) if kind is ColumnKind.NUMBER else value

    operator = rule.operator
    value: Any = [convert(v) for v in rule.value] if isinstance(rule.value, list) else convert(rule.value)
    if operator in (Operator.CONTAINS, Operator.DOES_NOT_CONTAIN):
        return (_lower_ascii(value) in _lower_ascii(stored)) == (operator is Operator.CONTAINS)
    if operator is Operator.BEGINS_WITH:
        return _lower_ascii(stored).startswith(_lower_ascii(value))
    if operator is Operator.ENDS_WITH:
        return _lower_ascii(stored).endswith(_lower_ascii(value))
    if operator in (Operator.BETWEEN, Operator.NOT_BETWEEN):
        return bool(value[0] <= stored <= value[1]) == (operator is Operator.BETWEEN)
    outcomes: dict[Operator, Callable[[], bool]] = {
        Operator.EQ: lambda: bool(stored == value),
        Operator.NE: lambda: bool(stored != value),
        Operator.LT: lambda: bool(stored < value),
        Operator.LE: lambda: bool(stored <= value),
        Operator.GT: lambda: bool(stored > value),
        Operator.GE: lambda: bool(stored >= value),
        Operator.IN: lambda: stored in value,
        Operator.NOT_IN: lambda: stored not in value,
    }
    return outcomes[operator]()


class TestToPolarsAgainstReference:
    @settings(max_examples=300, deadline=None)
    @given(condition_cases(CONDITION_COLUMNS, whole=WHOLE_NUMBER_COLUMNS))
    def test_matches_the_reference_model(self, case: ConditionCase) -> None:
        """Every generated condition keeps exactly the rows the documented semantics say."""
        frame = pl.DataFrame(case.rows, schema=schema_of({"id": ColumnKind.NUMBER, **CONDITION_COLUMNS}))
        expected = [row["id"] for row in case.rows if _reference(case.condition, row) is True]
        assert expected == frame.filter(to_polars(case.condition, CONDITION_COLUMNS))["id"].to_list()

    @settings(max_examples=100, deadline=None)
    @given(condition_cases(CONDITION_COLUMNS, whole=WHOLE_NUMBER_COLUMNS))
    def test_never_null_so_negation_is_the_complement(self, case: ConditionCase) -> None:
        """The expression is True or False on every row, so `~expr` keeps exactly the other rows."""
        frame = pl.DataFrame(case.rows, schema=schema_of({"id": ColumnKind.NUMBER, **CONDITION_COLUMNS}))
        expr = to_polars(case.condition, CONDITION_COLUMNS)
        assert frame.select(expr.alias("match"))["match"].null_count() == 0
        kept = set(frame.filter(expr)["id"].to_list())
        rest = set(frame.filter(~expr)["id"].to_list())
        assert (set(), {row["id"] for row in case.rows}) == (kept & rest, kept | rest)


class TestFoldAscii:
    @given(texts())
    def test_folds_only_ascii_capitals(self, text: str) -> None:
        """A–Z become a–z; every other character, accented capitals included, stays."""
        assert _lower_ascii(text) == fold_ascii(text)


class TestSplitNegation:
    @given(st.sampled_from(list(Operator)))
    def test_negatives_map_to_their_positive(self, operator: Operator) -> None:
        """Each negative operator names its positive; positives stand for themselves."""
        positive, negated = split_negation(operator)
        negatives = {"!=": "=", "doesNotContain": "contains", "notIn": "in", "notBetween": "between", "notNull": "null"}
        assert (negatives.get(operator.value, operator.value), operator.value in negatives) == (positive.value, negated)
