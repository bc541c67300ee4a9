"""Hypothesis strategies shared by the tests.

Conditions: `condition_cases(columns)` draws a small table of rows over columns of every kind and a
condition tree over them whose values are often taken from those rows, so that matches happen.
Values are deliberately awkward: LIKE wildcards and the escape character, quotes, non-ASCII
letters whose case only Unicode folds, texts that are prefixes of each other, empty lists.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from redflare.domain.conditions import (
    LIST_VALUE_OPERATORS,
    OPERATORS_BY_KIND,
    RANGE_OPERATORS,
    UNARY_OPERATORS,
    ColumnKind,
    Group,
    Operator,
    Rule,
)

Row = dict[str, Any]
Pools = Mapping[str, Sequence[Any]]

# A conversation-set-like table with a column of every kind; `turns` holds whole numbers.
CONDITION_COLUMNS: Mapping[str, ColumnKind] = {
    "agent": ColumnKind.TEXT,
    "team": ColumnKind.TEXT,
    "score": ColumnKind.NUMBER,
    "turns": ColumnKind.NUMBER,
    "greeting": ColumnKind.BOOLEAN,
    "started_at": ColumnKind.DATETIME,
    "tags": ColumnKind.TEXT_LIST,
}
WHOLE_NUMBER_COLUMNS = frozenset({"turns"})

# Words that nest (a, ab, abc), differ only in ASCII case, or only in non-ASCII case (é/É, the
# Kelvin sign K that Unicode folds to k, İ whose lower case is two code points), carry LIKE's
# wildcards and escape character, quotes, and the characters just outside A–Z and a–z.
AWKWARD_TEXTS = (
    "",
    "a",
    "A",
    "ab",
    "aB",
    "abc",
    "ABC",
    "b",
    "%",
    "_",
    "a%",
    "a_c",
    "%_",
    "/",
    "a/b",
    "\\",
    "'",
    '"',
    "it's",
    "é",
    "É",
    "éa",
    "\u212a",
    "k",
    "K",
    "İ",
    "i",
    "ß",
    "@[`{",
    " a",
    "a ",
    "Zz",
)
TEXT_ALPHABET = ("a", "A", "b", "B", "%", "_", "/", "\\", "'", '"', "é", "É", "\u212a", "k", "@", "[", "`", "{", " ")

_EARLIEST = datetime(2026, 3, 1)
_LATEST = datetime(2026, 3, 4)
# Midnights (which plain-date values name) and a few shared instants, so equal values happen.
_SHARED_INSTANTS = tuple(
    datetime(2026, 3, day, hour, minute, tzinfo=UTC) for day in (1, 2, 3) for hour, minute in ((0, 0), (9, 15))
)


def texts() -> st.SearchStrategy[str]:
    """Short awkward texts (no NUL: PostgreSQL text cannot hold it)."""
    return _TEXTS


def numbers(*, whole: bool = False) -> st.SearchStrategy[float] | st.SearchStrategy[int]:
    """Finite numbers, clustered so that equal values happen; whole ones for integer columns."""
    return _WHOLE_NUMBERS if whole else _NUMBERS


def instants() -> st.SearchStrategy[datetime]:
    """Aware UTC date-times with microseconds, around a few shared instants."""
    return _INSTANTS


def text_lists() -> st.SearchStrategy[list[str]]:
    return _TEXT_LISTS


_TEXTS = st.one_of(st.sampled_from(AWKWARD_TEXTS), st.text(st.sampled_from(TEXT_ALPHABET), max_size=4))
_WHOLE_NUMBERS = st.integers(min_value=-3, max_value=20)
_NUMBERS = st.one_of(
    st.sampled_from((0.0, -0.0, 0.5, 1.0, 2.5, 70.0, -1.0)),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
)
_STORED_NUMBERS = st.one_of(_NUMBERS, st.just(math.nan))  # a stored NaN counts as missing
_INSTANTS = st.one_of(
    st.sampled_from(_SHARED_INSTANTS),
    st.datetimes(min_value=_EARLIEST, max_value=_LATEST, timezones=st.just(UTC)),
)
_TEXT_LISTS = st.lists(_TEXTS, max_size=3)
_VALUES: Mapping[ColumnKind, st.SearchStrategy[Any]] = {
    ColumnKind.TEXT: _TEXTS,
    ColumnKind.NUMBER: _STORED_NUMBERS,
    ColumnKind.BOOLEAN: st.booleans(),
    ColumnKind.DATETIME: _INSTANTS,
    ColumnKind.TEXT_LIST: _TEXT_LISTS,
}


def values_of(kind: ColumnKind, *, whole: bool = False) -> st.SearchStrategy[Any]:
    """A stored value of this kind (never null; see `rows`); a stored number may be NaN."""
    return _WHOLE_NUMBERS if whole and kind is ColumnKind.NUMBER else _VALUES[kind]


def rows(
    columns: Mapping[str, ColumnKind], *, whole: Collection[str] = (), min_size: int = 0, max_size: int = 8
) -> st.SearchStrategy[list[Row]]:
    """Rows with ids 0, 1, 2 … (in `id`) and every column, each value null about a third of the time."""
    row = st.fixed_dictionaries(
        {
            name: st.one_of(st.none(), values_of(kind, whole=name in whole), values_of(kind, whole=name in whole))
            for name, kind in columns.items()
        }
    )
    return st.lists(row, min_size=min_size, max_size=max_size).map(
        lambda drawn: [{"id": i, **r} for i, r in enumerate(drawn)]
    )


def pools_of(table: Sequence[Row], columns: Mapping[str, ColumnKind]) -> dict[str, list[Any]]:
    """The values present in each column (a list column's elements), for conditions to reuse."""
    pools: dict[str, list[Any]] = {}
    for name, kind in columns.items():
        # NaN is stored (as a missing number) but never compared with: conditions refuse it.
        present = [row[name] for row in table if row[name] is not None and row[name] == row[name]]
        pools[name] = [item for items in present for item in items] if kind is ColumnKind.TEXT_LIST else present
    return pools


_OFFSET_HOURS = st.sampled_from((0, 2, -5))
_DATE_STYLES = st.sampled_from(("z", "offset", "date"))
_ANY_NUMBER = st.one_of(_NUMBERS, _WHOLE_NUMBERS)
_FRESH: Mapping[ColumnKind, st.SearchStrategy[Any]] = {
    ColumnKind.TEXT: _TEXTS,
    ColumnKind.NUMBER: _ANY_NUMBER,
    ColumnKind.BOOLEAN: st.booleans(),
    ColumnKind.DATETIME: _INSTANTS,
    ColumnKind.TEXT_LIST: _TEXTS,
}
# How a value is chosen: from the pool (twice as likely) or fresh; for text also a piece of a
# pooled text (so contains/beginsWith/endsWith match), a copy with its ASCII case or its Unicode
# case swapped (ASCII-only folding must match the one and not the other), or a copy with one
# character turned into a LIKE wildcard (which must then match only literally).
_TEXT_SOURCES = st.sampled_from(("pool", "pool", "fresh", "slice", "ascii_case", "unicode_case", "wildcard"))
_SOURCES = st.sampled_from(("pool", "pool", "fresh"))
_SMALL = st.integers(min_value=0, max_value=4)
_WILDCARDS = st.sampled_from(("%", "_", "/"))
_COUNT = st.integers(min_value=0, max_value=3)
_GROUP_SIZE = st.sampled_from((0, 1, 1, 2, 2, 3, 4))  # empty groups are legal but dull
_COMBINATORS = st.sampled_from(("and", "or"))


@st.composite
def scalar_values(draw: st.DrawFn, kind: ColumnKind, pool: Sequence[Any]) -> Any:
    """One comparison value: usually from the pool (or a slice of a pooled text), else fresh."""
    source = draw(_TEXT_SOURCES if kind is ColumnKind.TEXT else _SOURCES) if pool else "fresh"
    value = draw(_FRESH[kind]) if source == "fresh" else pool[draw(st.integers(0, len(pool) - 1))]
    if source == "slice":
        start = draw(_SMALL)
        value = value[start : start + draw(_SMALL)]
    elif source == "ascii_case":
        value = "".join(ch.swapcase() if ch.isascii() else ch for ch in value)
    elif source == "unicode_case":
        value = value.swapcase()
    elif source == "wildcard" and value:
        at = draw(st.integers(0, len(value) - 1))
        value = value[:at] + draw(_WILDCARDS) + value[at + 1 :]
    if kind is ColumnKind.DATETIME:
        return _iso(value, draw(_OFFSET_HOURS), draw(_DATE_STYLES))
    return value


def _iso(instant: datetime, offset_hours: int, style: str) -> str:
    if style == "date":  # a plain date means midnight UTC
        return instant.date().isoformat()
    text = instant.astimezone(timezone(timedelta(hours=offset_hours))).isoformat()
    return text.replace("+00:00", "Z") if style == "z" else text


@st.composite
def rule_values(draw: st.DrawFn, kind: ColumnKind, operator: Operator, pool: Sequence[Any]) -> Any:
    """A value fit for `operator` on a column of `kind`: none, one, a list, or [low, high]."""
    if operator in UNARY_OPERATORS:
        return None
    one = scalar_values(kind, pool)
    if operator in LIST_VALUE_OPERATORS:
        return [draw(one) for _ in range(draw(_COUNT))]
    if operator in RANGE_OPERATORS:
        return [draw(one), draw(one)]
    return draw(one)


@st.composite
def condition_rules(draw: st.DrawFn, columns: Mapping[str, ColumnKind], pools: Pools) -> Rule:
    """A rule on one of the columns, with an operator that applies to its kind."""
    field = draw(st.sampled_from(sorted(columns)))
    kind = columns[field]
    operator = draw(st.sampled_from(sorted(OPERATORS_BY_KIND[kind])))
    return Rule(field=field, operator=operator, value=draw(rule_values(kind, operator, pools.get(field, ()))))


@st.composite
def conditions(
    draw: st.DrawFn, columns: Mapping[str, ColumnKind], pools: Pools | None = None, *, max_depth: int = 3
) -> Group:
    """Condition trees up to `max_depth` groups deep, `and`/`or`, sometimes negated, maybe empty."""
    pools = pools or {}
    rules: list[Rule | Group] = []
    for _ in range(draw(_GROUP_SIZE)):
        # One child in four is a nested group while depth allows.
        if max_depth > 1 and draw(_COUNT) == 0:
            rules.append(draw(conditions(columns, pools, max_depth=max_depth - 1)))
        else:
            rules.append(draw(condition_rules(columns, pools)))
    return Group(combinator=draw(_COMBINATORS), not_=draw(st.booleans()), rules=rules)


@dataclass(frozen=True)
class ConditionCase:
    """A table and a condition to run over it."""

    rows: list[Row]
    condition: Group


def condition_cases(
    columns: Mapping[str, ColumnKind], *, whole: Collection[str] = (), min_rows: int = 3, max_rows: int = 8
) -> st.SearchStrategy[ConditionCase]:
    """Rows over `columns` (ids 0…n-1, in `id`) and a condition whose values mostly come from them."""
    return rows(columns, whole=whole, min_size=min_rows, max_size=max_rows).flatmap(
        lambda table: st.builds(ConditionCase, st.just(table), conditions(columns, pools_of(table, columns)))
    )
