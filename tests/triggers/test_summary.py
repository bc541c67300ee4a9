"""The trigger node's line on the canvas: when the workflow starts, in words."""

from __future__ import annotations

from typing import Any

import pytest

from redflare.domain.workflow import Trigger
from redflare.triggers.summary import trigger_summary


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        ({"type": "schedule", "daily": "09:00", "timezone": "Europe/London"}, "daily at 09:00 (Europe/London)"),
        ({"type": "schedule", "cron": "0 7 * * 1-5"}, "cron 0 7 * * 1-5"),
        ({"type": "schedule", "every": {"minutes": 15}}, "every 15 minutes"),
        ({"type": "schedule", "every": {"hours": 1}}, "every hour"),
        ({"type": "schedule", "weekly": {"days": ["mon", "thu"], "time": "08:30"}}, "weekly on Mon, Thu at 08:30"),
        ({"type": "schedule", "monthly": {"day": 1, "time": "06:00"}}, "monthly on day 1 at 06:00"),
        ({"type": "sync_completed", "integration": "clinic"}, "integration clinic"),
        ({"type": "sync_failed"}, "any integration"),
        ({"type": "manual"}, "when someone presses Run now"),
    ],
)
def test_trigger_summary(trigger: dict[str, Any], expected: str) -> None:
    assert trigger_summary(Trigger.model_validate(trigger)) == expected
