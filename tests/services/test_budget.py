"""The estimate's spend-guard arithmetic: how many conversations the call and credits limits let through."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from redflare.services.budget import CALL_LIMIT, CREDITS_LIMIT, Budget, Usage, limits_estimate

prices = st.lists(st.decimals(min_value=0, max_value=5, places=2), max_size=30)
limits = st.none() | st.integers(min_value=0, max_value=40)
credit_limits = st.none() | st.decimals(min_value=0, max_value=60, places=2)


class TestBudget:
    @given(prices, limits, credit_limits, st.integers(min_value=1, max_value=5))
    def test_both_limits_stop_where_the_first_one_would(
        self, amounts: list[Decimal], calls: int | None, credits: Decimal | None, used: int
    ) -> None:
        """With both limits set, a run processes as many conversations as the stricter limit alone allows."""
        both = Budget(calls, credits, used, Decimal(0)).admit(amounts)[0]
        calls_only = Budget(calls, None, used, Decimal(0)).admit(amounts)[0]
        credits_only = Budget(None, credits, used, Decimal(0)).admit(amounts)[0]
        assert both == min(calls_only, credits_only)

    @given(prices, limits, st.integers(min_value=0, max_value=50))
    def test_call_limit_counts_calls(self, amounts: list[Decimal], limit: int | None, used: int) -> None:
        """Each conversation is one call: a run sends as many as the calls left in the window."""
        admitted, reason = Budget(limit, None, used, Decimal(0)).admit(amounts)
        expected = len(amounts) if limit is None else min(len(amounts), max(0, limit - used))
        assert admitted == expected
        assert (reason == CALL_LIMIT) == (admitted < len(amounts))

    @given(prices, credit_limits)
    def test_credits_limit_admits_until_spent_reaches_it(self, amounts: list[Decimal], limit: Decimal | None) -> None:
        """Every admitted conversation started below the limit (or was free); the first refused one did not."""
        admitted, reason = Budget(None, limit, 0, Decimal(0)).admit(amounts)
        spent_before = [sum(amounts[:i], Decimal(0)) for i in range(len(amounts) + 1)]
        for i in range(admitted):
            assert limit is None or spent_before[i] < limit or amounts[i] == 0
        if admitted < len(amounts):
            assert reason == CREDITS_LIMIT
            assert limit is not None
            assert spent_before[admitted] >= limit
            assert amounts[admitted] > 0


class TestLimitsEstimate:
    def test_firing_counts_one_call(self) -> None:
        """With 7 of 10 calls used, the run's firing takes one and two conversations get through."""
        usage = Usage(call_limit=10, calls_used=7, credits_limit=None, credits_spent=Decimal(0))
        figures = limits_estimate(usage, [Decimal(1)] * 5)
        assert figures.call_limit is not None
        assert (figures.call_limit.remaining, figures.call_limit.stops_after) == (3, 2)
        assert (figures.firing_allowed, figures.cuts_in) == (True, CALL_LIMIT)

    def test_used_up_call_limit_allows_no_firing(self) -> None:
        """When the window's calls are used up, a firing makes no run, whatever it would send."""
        usage = Usage(call_limit=4, calls_used=4, credits_limit=None, credits_spent=Decimal(0))
        figures = limits_estimate(usage, [])
        assert (figures.firing_allowed, figures.cuts_in) == (False, CALL_LIMIT)

    def test_limit_not_reached(self) -> None:
        """A limit the run does not reach says so (no stopping point), and nothing cuts in."""
        usage = Usage(call_limit=None, calls_used=0, credits_limit=Decimal(100), credits_spent=Decimal(10))
        figures = limits_estimate(usage, [Decimal(2)] * 3)
        assert figures.credits_limit is not None
        assert (figures.credits_limit.remaining, figures.credits_limit.stops_after) == (Decimal(90), None)
        assert (figures.call_limit, figures.cuts_in) == (None, None)
