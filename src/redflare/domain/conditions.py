"""The one condition model shared by Select Conversations, Filter and Distribute rules.

The shape is react-querybuilder's: a group `{"combinator": "and"|"or", "not": bool, "rules": [...]}`
whose rules are either groups or `{"field", "operator", "value"}`. Two compilers turn a tree into
a SQLAlchemy clause (pushed down into the database) and a polars expression; a property test holds
them to the same answers.

Semantics both compilers implement (SQL's three-valued logic, collapsed to "no match"):
- A comparison against a missing value (null) never matches, negated operators included:
  `agent != "x"` does not match a row whose agent is empty. Only `null` / `notNull` see empties.
  An empty text `""` is a value, not missing; an empty list is missing (as is a JSON null).
- `contains`, `beginsWith`, `endsWith` (and `doesNotContain`) are substring tests on text that
  ignore the case of the ASCII letters A–Z only — "dana" finds "DANA", "é" does not find "É" —
  because SQLite's `lower()` folds only those; % and _ in a value are plain characters.
- On a list column (`tags`) `contains` means "has this element" (exact, case-sensitive),
  `doesNotContain` its negation.
- `=`, `!=`, `in`, `notIn` on text are exact. Text orders by Unicode code point ("B" < "a" < "É").
- `between` is inclusive at both ends (`[low, high]`; low above high matches nothing);
  `in` / `notIn` take a list (`in []` matches nothing, `notIn []` every present value).
- Numbers compare as numbers (an integer column against 2.5 too); NaN counts as missing.
- Dates compare as instants in UTC; a value is an ISO 8601 string with a zone (`Z` or an
  offset), or a plain date meaning midnight UTC.
- `not: true` on a group negates the whole group (rows where the group is unknown stay unmatched).
  An empty group matches every row; negated, none.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator


class Operator(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    CONTAINS = "contains"
    DOES_NOT_CONTAIN = "doesNotContain"
    BEGINS_WITH = "beginsWith"
    ENDS_WITH = "endsWith"
    IN = "in"
    NOT_IN = "notIn"
    BETWEEN = "between"
    NOT_BETWEEN = "notBetween"
    NULL = "null"
    NOT_NULL = "notNull"


class ColumnKind(StrEnum):
    """The value kinds a conversation-set column can hold (appendix B)."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT_LIST = "text_list"


TEXT_OPERATORS = frozenset(
    {
        Operator.EQ,
        Operator.NE,
        Operator.LT,
        Operator.LE,
        Operator.GT,
        Operator.GE,
        Operator.CONTAINS,
        Operator.DOES_NOT_CONTAIN,
        Operator.BEGINS_WITH,
        Operator.ENDS_WITH,
        Operator.IN,
        Operator.NOT_IN,
        Operator.BETWEEN,
        Operator.NOT_BETWEEN,
        Operator.NULL,
        Operator.NOT_NULL,
    }
)
ORDERED_OPERATORS = frozenset(
    {
        Operator.EQ,
        Operator.NE,
        Operator.LT,
        Operator.LE,
        Operator.GT,
        Operator.GE,
        Operator.IN,
        Operator.NOT_IN,
        Operator.BETWEEN,
        Operator.NOT_BETWEEN,
        Operator.NULL,
        Operator.NOT_NULL,
    }
)
OPERATORS_BY_KIND: Mapping[ColumnKind, frozenset[Operator]] = {
    ColumnKind.TEXT: TEXT_OPERATORS,
    ColumnKind.NUMBER: ORDERED_OPERATORS,
    ColumnKind.DATETIME: ORDERED_OPERATORS,
    ColumnKind.BOOLEAN: frozenset({Operator.EQ, Operator.NE, Operator.NULL, Operator.NOT_NULL}),
    ColumnKind.TEXT_LIST: frozenset({Operator.CONTAINS, Operator.DOES_NOT_CONTAIN, Operator.NULL, Operator.NOT_NULL}),
}
LIST_VALUE_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN})
RANGE_OPERATORS = frozenset({Operator.BETWEEN, Operator.NOT_BETWEEN})
UNARY_OPERATORS = frozenset({Operator.NULL, Operator.NOT_NULL})


class Rule(BaseModel):
    """One comparison: `field operator value`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(min_length=1, description="The column to test, e.g. `score` or `agent`.")
    operator: Operator = Field(description="How to compare (react-querybuilder's operator names).")
    value: Any = Field(
        default=None,
        description="What to compare with: a single value, a list for in/notIn, two values for between.",
    )

    @model_validator(mode="after")
    def _value_fits_operator(self) -> Rule:
        if self.operator in UNARY_OPERATORS:
            return self
        if self.value is None:
            raise ValueError(f"operator {self.operator.value!r} needs a value")
        if self.operator in LIST_VALUE_OPERATORS and not isinstance(self.value, list):
            raise ValueError(f"operator {self.operator.value!r} needs a list of values")
        if self.operator in RANGE_OPERATORS and not (isinstance(self.value, list) and len(self.value) == 2):
            raise ValueError(f"operator {self.operator.value!r} needs two values [low, high]")
        return self


def _rule_or_group(value: Any) -> str:
    """Which one a rule entry is — a group has `rules` — so a bad rule gets its own errors, not both kinds'."""
    if isinstance(value, Group) or (isinstance(value, Mapping) and "rules" in value):
        return "Group"
    return "Rule"


class Group(BaseModel):
    """A group of rules joined by `and` or `or`, optionally negated."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    combinator: Literal["and", "or"] = Field(default="and", description="How the rules combine.")
    not_: bool = Field(default=False, alias="not", description="Negate the whole group.")
    rules: list[
        Annotated[
            Union[Annotated[Rule, Tag("Rule")], Annotated[Group, Tag("Group")]],  # noqa: UP007
            Discriminator(_rule_or_group),
        ]
    ] = Field(default_factory=list, description="Rules and nested groups.")


Condition = Group


def iter_rules(group: Group) -> Iterator[tuple[str, Rule]]:
    """Every rule in the tree with its path relative to the group (`rules[1].rules[0]`)."""
    for index, rule in enumerate(group.rules):
        path = f"rules[{index}]"
        if isinstance(rule, Group):
            for sub_path, sub_rule in iter_rules(rule):
                yield f"{path}.{sub_path}", sub_rule
        else:
            yield path, rule


def referenced_fields(group: Group) -> set[str]:
    """The columns a condition reads."""
    return {rule.field for _, rule in iter_rules(group)}


def check_against_columns(group: Group, columns: Mapping[str, ColumnKind]) -> list[tuple[str, str]]:
    """Problems of a condition against the columns it will see, as (path, message) pairs."""
    problems: list[tuple[str, str]] = []
    for path, rule in iter_rules(group):
        kind = columns.get(rule.field)
        if kind is None:
            problems.append((f"{path}.field", f"unknown column {rule.field!r}"))
            continue
        if rule.operator not in OPERATORS_BY_KIND[kind]:
            problems.append(
                (
                    f"{path}.operator",
                    f"operator {rule.operator.value!r} does not apply to {kind.value} column {rule.field!r}",
                )
            )
            continue
        problems.extend((f"{path}.value", message) for message in _value_problems(rule, kind))
    return problems


def _value_problems(rule: Rule, kind: ColumnKind) -> list[str]:
    if rule.operator in UNARY_OPERATORS:
        return []
    values = rule.value if isinstance(rule.value, list) else [rule.value]
    problems = []
    for value in values:
        if kind is ColumnKind.NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"{value!r} is not a number")
        elif kind is ColumnKind.BOOLEAN and not isinstance(value, bool):
            problems.append(f"{value!r} is not true or false")
        elif kind is ColumnKind.DATETIME and parse_instant(value) is None:
            problems.append(f"{value!r} is not an ISO 8601 date-time with a time zone")
        elif kind in (ColumnKind.TEXT, ColumnKind.TEXT_LIST) and not isinstance(value, str):
            problems.append(f"{value!r} is not text")
    return problems


def parse_instant(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string or datetime, or None if it is not one."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if len(value) == 10:  # a plain date means midnight UTC: "before 2026-03-02"
        return parsed.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo is not None else None
