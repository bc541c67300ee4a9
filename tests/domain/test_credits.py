"""Credit arithmetic."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.credits import affordable, conversation_price, credits, total

amounts = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False)


class TestCredits:
    def test_floats_do_not_leak_binary_noise(self) -> None:
        """0.1 credits is exactly 0.1, not 0.1000000000000000055."""
        assert credits(0.1) == Decimal("0.1000")
        assert total([credits(0.1)] * 3) == Decimal("0.3")

    def test_negative_amounts_are_refused(self) -> None:
        """Spend is never negative."""
        with pytest.raises(ValueError, match="negative"):
            credits(-1)

    @given(st.lists(amounts, max_size=50))
    def test_total_is_exact(self, values: list[Decimal]) -> None:
        """Summing credits loses nothing, in any order."""
        assert total(values) == total(list(reversed(values))) == sum(values, Decimal(0))


class TestConversationPrice:
    def test_text_pays_analysis_only(self) -> None:
        """A chat costs the per-conversation price."""
        assert conversation_price(per_conversation=Decimal(1), per_audio_minute=Decimal("0.5"), audio_seconds=None) == 1

    def test_audio_billed_per_started_tenth_of_a_minute(self) -> None:
        """A 61-second call pays 1.1 audio minutes; exactly 60 s pays 1.0."""
        price = lambda s: conversation_price(per_conversation=Decimal(0), per_audio_minute=Decimal(1), audio_seconds=s)  # noqa: E731
        assert price(61) == Decimal("1.1")
        assert price(60) == Decimal("1.0")
        assert price(0.5) == Decimal("0.1")

    @given(st.floats(min_value=0.01, max_value=36_000), st.floats(min_value=0.01, max_value=36_000))
    def test_longer_audio_never_costs_less(self, a: float, b: float) -> None:
        """Price is monotonic in audio length."""
        low, high = sorted((a, b))
        price = lambda s: conversation_price(per_conversation=Decimal(0), per_audio_minute=Decimal(2), audio_seconds=s)  # noqa: E731
        assert price(low) <= price(high)


class TestAffordable:
    def test_limit_stops_new_work_once_reached(self) -> None:
        """Below the limit one more item may start; at or past it none may."""
        assert affordable(spent=Decimal(9), limit=Decimal(10), price=Decimal(5))
        assert not affordable(spent=Decimal(10), limit=Decimal(10), price=Decimal(1))
        assert affordable(spent=Decimal(10), limit=None, price=Decimal(1))
