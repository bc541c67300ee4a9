"""Conditions as polars expressions: the in-memory compiler of the condition model.

`to_polars(condition, columns)` turns a condition tree (`redflare.domain.conditions`) into a
boolean expression that is never null: a row either matches (`True`) or does not (`False`), so
`frame.filter(expr)` keeps exactly the matches and `~expr` is exactly the rest.

How the documented semantics become a two-valued expression: a group's `not` is pushed down to
the rules (De Morgan), so every rule knows whether it is negated. A rule on a missing value is
`False` whether negated or not; under SQL's three-valued logic that is the same as computing the
whole tree with "unknown" and calling an unknown answer "no match" at the end, because "unknown →
false" commutes with AND and OR. The SQL compiler (`redflare.adapters.db.conditions`) is built
the same way, and a property test holds the two to the same rows.

Case-insensitive text tests fold the ASCII letters A–Z only (SQLite's `lower()` folds nothing
else), so "é" does not find "É" here either. NaN in a number column counts as missing.

The small helpers below (`split_negation`, `fold_ascii`, `literal_value`, `ensure_fits`) are the
parts of the semantics both compilers share.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from datetime import UTC
from functools import reduce
from typing import Any

import polars as pl

from redflare.domain.conditions import ColumnKind, Group, Operator, Rule, check_against_columns, parse_instant
from redflare.domain.errors import InvalidInput, Issue
from redflare.sets.frames import DTYPES

# Each negative operator is the negation of a positive one; the compilers only build positives.
_NEGATIVE_OF: Mapping[Operator, Operator] = {
    Operator.NE: Operator.EQ,
    Operator.DOES_NOT_CONTAIN: Operator.CONTAINS,
    Operator.NOT_IN: Operator.IN,
    Operator.NOT_BETWEEN: Operator.BETWEEN,
    Operator.NOT_NULL: Operator.NULL,
}
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_UPPER = list(string.ascii_uppercase)
_LOWER = list(string.ascii_lowercase)


def split_negation(operator: Operator) -> tuple[Operator, bool]:
    """The positive operator behind `operator`, and whether `operator` negates it."""
    positive = _NEGATIVE_OF.get(operator)
    return (operator, False) if positive is None else (positive, True)


def fold_ascii(text: str) -> str:
    """Lower-case ASCII letters only (SQLite's `lower()`), so case folding agrees on every backend."""
    return text.translate(_ASCII_LOWER)


def literal_value(kind: ColumnKind, value: Any) -> Any:
    """A rule's value as the compilers compare it: numbers as floats, date-times as aware UTC."""
    if kind is ColumnKind.NUMBER:
        number = float(value)
        if math.isnan(number):  # no backend agrees on comparing with NaN, and JSON cannot carry it
            raise InvalidInput("NaN is not a number to compare with")
        return number
    if kind is ColumnKind.DATETIME:
        instant = parse_instant(value)
        if instant is None:  # ensure_fits has already refused it; this keeps the types honest
            raise InvalidInput(f"{value!r} is not an ISO 8601 date-time with a time zone")
        return instant.astimezone(UTC)
    return value


def ensure_fits(condition: Group, columns: Mapping[str, ColumnKind]) -> None:
    """Raise `InvalidInput` listing every problem of the condition against these columns."""
    problems = check_against_columns(condition, columns)
    if problems:
        issues = [Issue(path, message) for path, message in problems]
        raise InvalidInput("the condition does not fit the columns: " + "; ".join(map(str, issues)), issues)


def to_polars(condition: Group, columns: Mapping[str, ColumnKind]) -> pl.Expr:
    """A never-null boolean expression that is True exactly on the rows the condition matches.

    `columns` gives the kind of each column of the frame it will run on; a rule naming a column
    that is not there, or an operator or value that does not fit its kind, raises `InvalidInput`.
    """
    ensure_fits(condition, columns)
    return _group(condition, columns, negated=False)


def _group(group: Group, columns: Mapping[str, ColumnKind], *, negated: bool) -> pl.Expr:
    negated = negated != group.not_
    if not group.rules:  # an empty group matches everything; negated, nothing
        return pl.lit(not negated)
    parts = [
        _group(rule, columns, negated=negated)
        if isinstance(rule, Group)
        else _rule(rule, columns[rule.field], negated=negated)
        for rule in group.rules
    ]
    # De Morgan: not (a and b) = (not a) or (not b), and the other way round.
    conjunction = (group.combinator == "and") != negated
    return reduce(pl.Expr.and_ if conjunction else pl.Expr.or_, parts)


def _rule(rule: Rule, kind: ColumnKind, *, negated: bool) -> pl.Expr:
    operator, flipped = split_negation(rule.operator)
    negated = negated != flipped
    missing = _missing(pl.col(rule.field), kind)
    if operator is Operator.NULL:
        return ~missing if negated else missing
    test = _test(operator, _column(rule.field, kind), kind, rule.value)
    # `~missing &` makes a rule on a missing value False, negated or not; it also turns the
    # null that polars gives for a null input into False, so the expression is never null.
    return ~missing & (~test if negated else test)


def _missing(column: pl.Expr, kind: ColumnKind) -> pl.Expr:
    if kind is ColumnKind.TEXT_LIST:  # an empty list is as missing as no list
        return column.list.len().fill_null(0) == 0
    if kind is ColumnKind.NUMBER:
        # NaN is no value (as in Sort, and as SQLite stores it); polars would rank it above +inf.
        return column.is_null() | column.cast(pl.Float64).is_nan()
    return column.is_null()


def _column(name: str, kind: ColumnKind) -> pl.Expr:
    column = pl.col(name)
    if kind in (ColumnKind.NUMBER, ColumnKind.DATETIME):
        # Whole-number columns (turns) compare as numbers too; a date-time column in another
        # unit or zone compares as the same instants.
        return column.cast(DTYPES[kind])
    return column


def _test(operator: Operator, column: pl.Expr, kind: ColumnKind, value: Any) -> pl.Expr:
    """The positive operator on a present value (null in, null out; the caller masks it)."""
    if kind is ColumnKind.TEXT_LIST:  # only `contains` applies: has this element, exactly
        return column.list.contains(pl.lit(value, dtype=pl.String()))
    if operator in (Operator.CONTAINS, Operator.BEGINS_WITH, Operator.ENDS_WITH):
        folded = column.str.replace_many(_UPPER, _LOWER)
        needle = fold_ascii(value)
        if operator is Operator.CONTAINS:
            return folded.str.contains(needle, literal=True)
        if operator is Operator.BEGINS_WITH:
            return folded.str.starts_with(needle)
        return folded.str.ends_with(needle)
    if operator is Operator.IN:
        values = [literal_value(kind, v) for v in value]
        return column.is_in(pl.Series(values, dtype=DTYPES[kind]).implode())
    if operator is Operator.BETWEEN:
        low, high = (_literal(kind, v) for v in value)
        return (column >= low) & (column <= high)
    literal = _literal(kind, value)
    comparisons = {
        Operator.EQ: column.eq,
        Operator.LT: column.lt,
        Operator.LE: column.le,
        Operator.GT: column.gt,
        Operator.GE: column.ge,
    }
    return comparisons[operator](literal)


def _literal(kind: ColumnKind, value: Any) -> pl.Expr:
    return pl.lit(literal_value(kind, value), dtype=DTYPES[kind])
