"""The spend guard's arithmetic for an estimate: a run's budget, the workflow's usage, and where limits cut in.

Pure: no store, no clock. `Budget.admit` replays what the run's spend guard does (calls in the rolling
window, credits since the limit was set); `limits_estimate` says where each limit alone would stop a run
sending conversations at given prices, and which one stops it first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from redflare.domain.credits import ZERO, affordable

CALL_LIMIT = "call_limit"
CREDITS_LIMIT = "credits_limit"


@dataclass
class Budget:
    """The spend guard's arithmetic, replayed: calls in the rolling window, credits since the limit was set."""

    call_limit: int | None
    credits_limit: Decimal | None
    calls: int  # calls already counted, this run's firing included
    spent: Decimal

    def admit(self, prices: Sequence[Decimal]) -> tuple[int, str | None]:
        """How many of these conversations, in order, the limits let through, and which limit stopped the rest."""
        admitted = 0
        for price in prices:
            if self.call_limit is not None and self.calls >= self.call_limit:
                return admitted, CALL_LIMIT
            if not affordable(spent=self.spent, limit=self.credits_limit, price=price):
                return admitted, CREDITS_LIMIT
            self.calls += 1
            self.spent += price
            admitted += 1
        return admitted, None


@dataclass(frozen=True)
class Usage:
    """Where the workflow stands against its limits now."""

    call_limit: int | None
    calls_used: int  # in the rolling 24 hours
    credits_limit: Decimal | None
    credits_spent: Decimal  # since the credits limit was set
    credits_since: datetime | None = None

    def budget(self, *, calls: bool = True, credits: bool = True) -> Budget:
        """A fresh budget for one run (its firing counted), with either limit left out on request."""
        return Budget(
            call_limit=self.call_limit if calls else None,
            credits_limit=self.credits_limit if credits else None,
            calls=self.calls_used + 1,
            spent=self.credits_spent,
        )

    @property
    def firing_allowed(self) -> bool:
        """A firing past the call limit makes no run (SPEC: Settings)."""
        return self.call_limit is None or self.calls_used < self.call_limit


@dataclass(frozen=True)
class CallLimitEstimate:
    limit: int
    used: int
    remaining: int
    stops_after: int | None  # conversations this run sends before the limit stops it; None: not reached


@dataclass(frozen=True)
class CreditsLimitEstimate:
    limit: Decimal
    spent: Decimal
    since: datetime | None
    remaining: Decimal
    stops_after: int | None


@dataclass(frozen=True)
class LimitsEstimate:
    call_limit: CallLimitEstimate | None
    credits_limit: CreditsLimitEstimate | None
    firing_allowed: bool
    cuts_in: str | None  # the limit that stops this run first, if any


def limits_estimate(usage: Usage, prices: Sequence[Decimal]) -> LimitsEstimate:
    """Where each limit alone would stop a run sending conversations at these prices, and which stops it first."""

    def stops_after(budget: Budget) -> int | None:
        admitted, reason = budget.admit(prices)
        return admitted if reason is not None else None

    calls = None
    if usage.call_limit is not None:
        calls = CallLimitEstimate(
            limit=usage.call_limit,
            used=usage.calls_used,
            remaining=max(0, usage.call_limit - usage.calls_used),
            stops_after=stops_after(usage.budget(credits=False)),
        )
    credits = None
    if usage.credits_limit is not None:
        credits = CreditsLimitEstimate(
            limit=usage.credits_limit,
            spent=usage.credits_spent,
            since=usage.credits_since,
            remaining=max(ZERO, usage.credits_limit - usage.credits_spent),
            stops_after=stops_after(usage.budget(calls=False)),
        )
    _, first = usage.budget().admit(prices)
    return LimitsEstimate(
        call_limit=calls,
        credits_limit=credits,
        firing_allowed=usage.firing_allowed,
        cuts_in=first if usage.firing_allowed else CALL_LIMIT,
    )
