"""Formula-injection escaping for exported text (OWASP's CSV injection advice).

Contract: a text cell whose first character is one of `=`, `+`, `-`, `@`, tab or carriage return
could be run as a formula by a spreadsheet; `escape_text` prefixes such text with a single quote
`'` and leaves any other text as it is. `escape_expr` is the same rule as a polars expression,
for whole columns. Only text is escaped: numbers (a negative number too) stay numbers. The .xlsx
writer does not prefix anything — it writes text as text cells, which are never evaluated.
"""

from __future__ import annotations

import polars as pl

TRIGGERS = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet read a cell as a formula."""

PREFIX = "'"

_TRIGGER_PATTERN = r"^[=+\-@\t\r]"


def needs_escape(text: str) -> bool:
    """Whether a spreadsheet could read this text as a formula."""
    return text[:1] in TRIGGERS


def escape_text(text: str) -> str:
    """The text, prefixed with a single quote when it could be read as a formula."""
    return PREFIX + text if needs_escape(text) else text


def escape_expr(expr: pl.Expr) -> pl.Expr:
    """`escape_text` over a String column (nulls stay null)."""
    return pl.when(expr.str.contains(_TRIGGER_PATTERN)).then(pl.lit(PREFIX) + expr).otherwise(expr)
