"""What a step kind tells an estimate: which columns wait for analysis."""

from __future__ import annotations

import pytest

from redflare.steps.preview import unknown_before_analysis


class TestUnknownBeforeAnalysis:
    @pytest.mark.parametrize(
        ("fields", "unknown"),
        [(["score"], True), (["team", "criterion.greeting"], True), (["team", "agent"], False), (["credits"], False)],
    )
    def test_which_columns_wait_for_analysis(self, fields: list[str], unknown: bool) -> None:
        """Scores, sentiment, measures and criteria are unknown before analysis; base columns and price are not."""
        assert unknown_before_analysis(fields) is unknown
