"""Conditions as SQL: the database compiler of the condition model, for SQLite and PostgreSQL.

`to_sql(condition, columns, kinds, dialect_name)` turns a condition tree
(`redflare.domain.conditions`) into a SQLAlchemy boolean clause that is never NULL, so it means
the same in a WHERE, under a NOT, or selected as a value. It mirrors the polars compiler
(`redflare.sets.conditions`) rule for rule, and a property test holds the two to the same rows:

- A group's `not` is pushed down to the rules (De Morgan); each rule is `present AND test` (or
  `present AND NOT test`), so a rule on a missing value is false whichever way it is turned.
- Text ordering (`<`, `between` …) compares code points: SQLite's default BINARY collation does,
  and PostgreSQL is told `COLLATE "C"`.
- Case-insensitive text tests fold ASCII letters only, as SQLite's `lower()` does; PostgreSQL
  uses `translate()` over A–Z for the same. LIKE wildcards in values are escaped.
- Numbers compare as floats (an INTEGER column against 2.5 asks the exact question); NaN, which
  PostgreSQL can store and SQLite turns into NULL, is missing.
- Date-times are bound as UTC instants: aware on PostgreSQL (`timestamptz`), naive UTC text on
  SQLite, in the format SQLAlchemy's `DateTime` stores there.
- A text list (`tags`) is a JSON array of strings (JSONB on PostgreSQL). An empty list, a JSON
  `null` and SQL NULL are all missing. "Has element v" is `EXISTS (… json_each …)` on SQLite and
  `@> '["v"]'` on PostgreSQL.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from redflare.domain.conditions import ColumnKind, Group, Operator, Rule
from redflare.sets.conditions import ensure_fits, fold_ascii, literal_value, split_negation

SUPPORTED_DIALECTS = frozenset({"sqlite", "postgresql"})
_SCALAR_TYPES: Mapping[ColumnKind, sa.types.TypeEngine[Any]] = {
    ColumnKind.TEXT: sa.String(),
    ColumnKind.NUMBER: sa.Float(),
    ColumnKind.BOOLEAN: sa.Boolean(),
}


def to_sql(
    condition: Group,
    columns: Mapping[str, ColumnElement[Any]],
    kinds: Mapping[str, ColumnKind],
    dialect_name: str,
) -> ColumnElement[bool]:
    """A never-NULL SQL clause that is true exactly on the rows the condition matches.

    `columns` maps each field to its SQL column, `kinds` to its kind. A rule that does not fit
    the kinds raises `InvalidInput`; a field without a SQL column raises `KeyError`.
    """
    if dialect_name not in SUPPORTED_DIALECTS:
        raise ValueError(f"conditions compile for {sorted(SUPPORTED_DIALECTS)}, not {dialect_name!r}")
    ensure_fits(condition, kinds)
    return _Compiler(columns, kinds, dialect_name).group(condition, negated=False)


class _Compiler:
    def __init__(
        self, columns: Mapping[str, ColumnElement[Any]], kinds: Mapping[str, ColumnKind], dialect_name: str
    ) -> None:
        self.columns = columns
        self.kinds = kinds
        self.postgres = dialect_name == "postgresql"

    def group(self, group: Group, *, negated: bool) -> ColumnElement[bool]:
        negated = negated != group.not_
        if not group.rules:  # an empty group matches everything; negated, nothing
            return sa.false() if negated else sa.true()
        parts = [
            self.group(rule, negated=negated) if isinstance(rule, Group) else self.rule(rule, negated=negated)
            for rule in group.rules
        ]
        # De Morgan: not (a and b) = (not a) or (not b), and the other way round.
        conjunction = (group.combinator == "and") != negated
        return sa.and_(*parts) if conjunction else sa.or_(*parts)

    def rule(self, rule: Rule, *, negated: bool) -> ColumnElement[bool]:
        column = self.columns[rule.field]
        kind = self.kinds[rule.field]
        operator, flipped = split_negation(rule.operator)
        negated = negated != flipped
        present = self.present(column, kind)
        if operator is Operator.NULL:
            return present if negated else sa.not_(present)
        test = self.test(operator, column, kind, rule.value)
        return sa.and_(present, sa.not_(test) if negated else test)

    def present(self, column: ColumnElement[Any], kind: ColumnKind) -> ColumnElement[bool]:
        """True when the value is there (never NULL): not NULL, and for a list not empty."""
        if kind is ColumnKind.NUMBER and self.postgres:
            # NaN is no value (SQLite cannot even store it: it becomes NULL); NaN = NaN in PostgreSQL.
            return sa.and_(column.is_not(None), column != sa.literal(float("nan"), sa.Float()))
        if kind is not ColumnKind.TEXT_LIST:
            return column.is_not(None)
        if self.postgres:
            # CASE keeps jsonb_array_length away from scalars (a JSON null), which it rejects.
            return sa.case(
                (sa.func.jsonb_typeof(column) == "array", sa.func.jsonb_array_length(column) > 0),
                else_=sa.false(),
            )
        # json_array_length is 0 for a JSON null and NULL for SQL NULL.
        return sa.func.coalesce(sa.func.json_array_length(column), 0) > 0

    def test(self, operator: Operator, column: ColumnElement[Any], kind: ColumnKind, value: Any) -> ColumnElement[bool]:
        """The positive operator on a present value (the caller guards against missing ones)."""
        if kind is ColumnKind.TEXT_LIST:  # only `contains` applies: has this element, exactly
            return self.has_element(column, value)
        if operator in (Operator.CONTAINS, Operator.BEGINS_WITH, Operator.ENDS_WITH):
            folded = self.fold(column)
            needle = fold_ascii(value)
            # autoescape escapes %, _ and the escape character itself in the value.
            if operator is Operator.CONTAINS:
                return folded.contains(needle, autoescape=True)
            if operator is Operator.BEGINS_WITH:
                return folded.startswith(needle, autoescape=True)
            return folded.endswith(needle, autoescape=True)
        ordered = self.ordered(column, kind)
        if operator is Operator.IN:
            return column.in_([self.literal(kind, v) for v in value])
        if operator is Operator.BETWEEN:
            low, high = (self.literal(kind, v) for v in value)
            return sa.and_(ordered >= low, ordered <= high)
        literal = self.literal(kind, value)
        comparisons = {
            Operator.EQ: column.__eq__,
            Operator.LT: ordered.__lt__,
            Operator.LE: ordered.__le__,
            Operator.GT: ordered.__gt__,
            Operator.GE: ordered.__ge__,
        }
        return comparisons[operator](literal)

    def has_element(self, column: ColumnElement[Any], value: str) -> ColumnElement[bool]:
        if self.postgres:
            return sa.type_coerce(column, JSONB).contains([value])
        elements = sa.func.json_each(column).table_valued("value")
        return sa.exists().select_from(elements).where(elements.c.value == sa.literal(value, sa.String()))

    def fold(self, column: ColumnElement[Any]) -> ColumnElement[str]:
        """Lower-case ASCII letters only, as `fold_ascii` does in Python."""
        if self.postgres:
            return sa.func.translate(column, string.ascii_uppercase, string.ascii_lowercase, type_=sa.String())
        return sa.func.lower(column, type_=sa.String())

    def ordered(self, column: ColumnElement[Any], kind: ColumnKind) -> ColumnElement[Any]:
        """The column as ordering compares it: text in code-point order."""
        if kind is ColumnKind.TEXT and self.postgres:
            return sa.collate(column, "C")
        return column

    def literal(self, kind: ColumnKind, value: Any) -> ColumnElement[Any]:
        """A bound value typed by its kind, never by the column (whose type may round or reject it)."""
        converted = literal_value(kind, value)
        if kind is ColumnKind.DATETIME:
            if self.postgres:
                return sa.literal(converted, sa.DateTime(timezone=True))
            return sa.literal(converted.replace(tzinfo=None), sa.DateTime())
        return sa.literal(converted, _SCALAR_TYPES[kind])
