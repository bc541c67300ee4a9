"""The On a Schedule panel in a real browser: pick the trigger, set daily 09:00 in Europe/London and see the next
five fire times (the server's, in that zone); switch to a cron expression and see them change; an invalid
expression shows the server's own message. What the panel saved is checked through the API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, eventually, sign_in
from tests.e2e.helpers_extra import is_reddish
from tests.e2e.test_journey import choose

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

ZONE = "Europe/London"


def fire_times(served: Server, trigger: dict[str, Any]) -> httpx.Response:
    return served.api.client.post("/triggers/next-fire-times", json={"trigger": trigger, "count": 5})


def expect_times(times: Locator, local_times: list[str]) -> None:
    """The list shows the server's five times: each line has its date and its wall-clock time in the zone."""
    expect(times.get_by_role("listitem")).to_have_count(5)
    lines = [
        re.compile(rf"\b{moment.day} .*\b{moment.year}\b.*\b{moment:%H:%M}\b")
        for moment in map(datetime.fromisoformat, local_times)
    ]
    expect(times.get_by_role("listitem")).to_have_text(lines)


def saved_trigger(served: Server, workflow_id: str, until: Any) -> dict[str, Any]:
    return dict(eventually(lambda: served.api.get(f"/workflows/{workflow_id}/draft").get("trigger"), until))


def test_a_schedule_shows_its_next_five_fire_times(page: Page, served: Server) -> None:
    name = "Schedule: next fire times"
    workflow_id = served.api.post("/workflows", {"name": name})["id"]
    sign_in(page)
    page.goto(f"/workflows/{workflow_id}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    page.get_by_test_id("trigger-node").click()
    panel = page.locator("aside")
    panel.get_by_role("button", name="On a Schedule").click()
    expect(panel.get_by_role("heading", name="On a Schedule")).to_be_visible()
    expect(panel.get_by_role("combobox", name="Repeat")).to_have_value("Daily")

    # Daily at 09:00, London time.
    panel.get_by_label("Time", exact=True).fill("09:00")
    zone = panel.get_by_role("combobox", name="Time zone")
    zone.click()
    zone.fill(ZONE)
    page.get_by_role("listbox").filter(visible=True).get_by_role("option", name=ZONE, exact=True).click()
    expect(zone).to_have_value(ZONE)
    daily = {"type": "schedule", "daily": "09:00", "timezone": ZONE}
    assert saved_trigger(served, workflow_id, lambda trigger: trigger == daily) == daily
    times = panel.get_by_role("list", name="Next five fire times")
    expected = fire_times(served, daily).json()
    assert all(moment.endswith(("+00:00", "+01:00")) for moment in expected["local_times"])
    expect_times(times, expected["local_times"])
    expect(panel.get_by_text("As cron: 0 9 * * *")).to_be_visible()

    # A cron expression instead: Mondays at 14:30.
    choose(page, "Repeat", "Cron expression")
    cron = panel.get_by_role("textbox", name="Cron expression")
    cron.fill("30 14 * * 1")
    weekly = {"type": "schedule", "cron": "30 14 * * 1", "timezone": ZONE}
    expected = fire_times(served, weekly).json()
    expect_times(times, expected["local_times"])
    expect(times.get_by_role("listitem")).to_have_text([re.compile(r"^Mon\b.*14:30")] * 5)
    assert saved_trigger(served, workflow_id, lambda trigger: trigger == weekly) == weekly

    # Not a cron expression: the server says why, in the panel.
    cron.fill("61 * * * *")
    refused = fire_times(served, {**weekly, "cron": "61 * * * *"})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    message = "; ".join(error["message"] for error in problem.get("errors", [])) or problem.get("detail")
    assert message
    next_times = panel.locator('[aria-live="polite"]').filter(has_text="Next five fire times")
    shown = next_times.get_by_text(message, exact=True)
    expect(shown).to_be_visible()
    assert is_reddish(shown)
    expect(times).to_have_count(0)
    # The panel's issues say it too; the draft refuses it, so what was saved stays the last valid schedule.
    expect(panel.get_by_role("listitem").filter(has_text=message)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Not saved")).to_be_visible()
    assert served.api.get(f"/workflows/{workflow_id}/draft")["trigger"] == weekly
