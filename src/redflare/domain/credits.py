"""Credit arithmetic: exact decimals, four places, never floats."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

CREDIT_QUANTUM = Decimal("0.0001")
ZERO = Decimal(0)


def credits(value: Decimal | int | float | str) -> Decimal:
    """Normalise an amount to a credit value (four decimal places, half up)."""
    if isinstance(value, float):
        value = repr(value)  # the shortest repr avoids binary noise such as 0.1 → 0.1000000000000000055
    amount = Decimal(value).quantize(CREDIT_QUANTUM, rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(f"a credit amount cannot be negative: {value}")
    return amount


def total(amounts: Iterable[Decimal]) -> Decimal:
    """Sum of credit amounts."""
    return credits(sum(amounts, ZERO))


def conversation_price(*, per_conversation: Decimal, per_audio_minute: Decimal, audio_seconds: float | None) -> Decimal:
    """What analysing one conversation costs: the analysis price plus transcription by the minute.

    Audio is billed per started tenth of a minute, so a 61-second call costs 1.1 minutes.
    """
    price = per_conversation
    if audio_seconds:
        tenths = (Decimal(str(audio_seconds)) / 6).to_integral_value(rounding=ROUND_CEILING)
        price += per_audio_minute * tenths / 10
    return credits(price)


def affordable(*, spent: Decimal, limit: Decimal | None, price: Decimal) -> bool:
    """Whether one more item at `price` may start under a credits limit.

    The limit stops new work once spending has reached it; the item that crosses it is
    the last one admitted, so overshoot is bounded by one item's price.
    """
    return limit is None or spent < limit or price == 0
