"""Tables and figures the way the commands print them for people: a header row, aligned columns, the browser app's
words and number formats (credits with at most two decimals, like the Runs tab; times to the minute, in UTC)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

NONE = "-"
CENT = Decimal("0.01")


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, right: Iterable[int] = ()) -> str:
    """Rows under a header, each column as wide as its widest cell; columns in `right` aligned to the right (figures).

    The last column is not padded, so no line ends in spaces."""
    body = [list(row) for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(headers, *body, strict=True)]
    on_right = set(right)

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.rjust(width) if i in on_right else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded).rstrip()

    return "\n".join(line(cells) for cells in [list(headers), *body])


def credits_text(amount: Decimal | float) -> str:
    """1234.5 → "1,234.5", 12.3456 → "12.35", 0 → "0": at most two decimals, as the browser app shows credits."""
    rounded = f"{Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"  # half up, as the browser
    return rounded.rstrip("0").rstrip(".") if "." in rounded else rounded


def time_text(moment: datetime | None) -> str:
    """A stored time as "2026-03-02 09:15 UTC" ("-" when there is none); a time without a zone is UTC."""
    if moment is None:
        return NONE
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
