"""How the API writes a moment: ISO 8601 in UTC with a `Z` (the run resource of appendix E and what it carries)."""

from __future__ import annotations

from datetime import datetime


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None
