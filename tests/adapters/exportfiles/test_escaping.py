"""Formula-injection escaping: text a spreadsheet could run is made inert, other text is untouched."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflare.adapters.exportfiles.escaping import escape_expr, escape_text, needs_escape

DANGEROUS_STARTS = ["=", "+", "-", "@", "\t", "\r"]


class TestEscapeText:
    @pytest.mark.parametrize("start", DANGEROUS_STARTS)
    def test_formula_starts_get_a_quote(self, start: str) -> None:
        """Text starting with a formula character is prefixed with a single quote, kept whole after it."""
        text = start + 'HYPERLINK("http://evil")'
        assert escape_text(text) == "'" + text

    @given(st.text())
    def test_escaped_text_never_starts_a_formula(self, text: str) -> None:
        """Whatever the customer wrote, the escaped cell does not begin with a formula character."""
        assert escape_text(text)[:1] not in DANGEROUS_STARTS

    @given(st.text())
    def test_only_dangerous_text_changes(self, text: str) -> None:
        """Safe text is written as is; dangerous text gains exactly one leading quote."""
        escaped = escape_text(text)
        if text[:1] in DANGEROUS_STARTS:
            assert (escaped[0], escaped[1:]) == ("'", text)
        else:
            assert escaped == text
        assert needs_escape(text) == (escaped != text)


class TestEscapeExpr:
    @given(st.lists(st.none() | st.text(), max_size=20))
    def test_column_matches_the_text_rule(self, texts: list[str | None]) -> None:
        """Escaping a column gives what escaping each cell gives; nulls stay null."""
        column = pl.Series("t", texts, dtype=pl.String)
        escaped = pl.select(escape_expr(pl.lit(column))).to_series().to_list()
        assert escaped == [None if t is None else escape_text(t) for t in texts]
