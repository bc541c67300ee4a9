"""Forms in plain words (P9 item 1), as a user sees them in a real browser: choosing Source = Integration says one
sentence per field; Final checks list a broken trigger and the steps' issues at once; a pipeline's bad range
names its criterion; Repeat and Time zone are described, switching Repeat keeps the time, the time reads on the
24-hour clock; template fields explain themselves without notation and offer their variables as buttons.
Each test arranges its workflow through the API and checks what is on screen; screenshots are kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, canvas_settled, eventually, screenshot, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

PYDANTIC = re.compile(r"Field required|Extra inputs|Input should|String should|List should|Value error")
NOTATION = re.compile(r"[{}|]|<step id>")


def open_editor(page: Page, served: Server, document: dict[str, Any]) -> str:
    created = served.api.post("/workflows", document)
    sign_in(page)
    page.goto(f"/workflows/{created['id']}")
    expect(page.get_by_role("heading", name=document["name"])).to_be_visible()
    canvas_settled(page)
    return str(created["id"])


def open_node(page: Page, test_id: str) -> Locator:
    page.get_by_test_id(test_id).click()
    return page.locator("aside")


def pick(page: Page, combobox: Locator, option: str) -> None:
    combobox.click()
    page.get_by_role("option", name=option, exact=True).first.click()


def draft_of(served: Server, workflow_id: str) -> dict[str, Any]:
    found: dict[str, Any] = served.api.get(f"/workflows/{workflow_id}/draft")
    return found


def manual(name: str, *steps: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "trigger": {"type": "manual"}, "steps": list(steps)}


PICK = {"id": "pick", "type": "select_conversations", "after": [], "config": {"source": "all"}}


def test_choosing_integration_as_the_source_says_one_plain_sentence(page: Page, served: Server) -> None:
    """Source = Integration with none chosen yet: the panel and Final checks say the integration must be set —
    one sentence, not four union branches in pydantic's words."""
    workflow_id = open_editor(page, served, manual("Words: source", PICK))
    panel = open_node(page, "step-node-pick")
    pick(page, panel.get_by_role("combobox", name="Source"), "Integration")
    eventually(
        lambda: draft_of(served, workflow_id)["steps"][0]["config"], lambda c: c.get("source") == {"integration": ""}
    )

    issues = panel.get_by_role("alert")
    expect(issues).to_contain_text("1 issue")
    expect(issues).to_contain_text("Integration in Source must be set.")
    # Under the Integration field, the same one sentence; the Source select itself has no error of its own.
    integration = panel.get_by_role("combobox", name="Integration")
    expect(integration).to_have_attribute("aria-invalid", "true")
    expect(panel.get_by_text("Integration in Source must be set.", exact=True)).to_have_count(2)
    assert not PYDANTIC.search(panel.inner_text())
    screenshot(page, "plain-words-source-integration")

    page.get_by_role("button", name="Final checks").click()
    checks = page.locator("aside")
    expect(checks.get_by_role("heading", name="Final checks")).to_be_visible()
    expect(checks.get_by_text("Integration in Source must be set.", exact=True)).to_be_visible()
    assert not PYDANTIC.search(checks.inner_text())
    assert "steps[0]" not in checks.inner_text()  # no document paths in the user's panel


def test_final_checks_list_a_broken_trigger_and_the_steps_issues_at_once(page: Page, served: Server) -> None:
    """A cron expression that cannot fire makes the draft unsaveable; Final checks still list the step's issue
    beside the trigger's, instead of hiding it until the trigger is fixed."""
    broken_step = {"id": "pick", "type": "select_conversations", "after": [], "config": {"source": {"integration": ""}}}
    document = {
        "name": "Words: all at once",
        "trigger": {"type": "schedule", "cron": "0 2 * * *", "timezone": "UTC"},
        "steps": [broken_step],
    }
    open_editor(page, served, document)
    panel = open_node(page, "trigger-node")
    cron = panel.get_by_role("textbox", name="Cron expression")
    cron.fill("61 2 * * *")
    expect(page.get_by_text(re.compile("not saved", re.IGNORECASE)).first).to_be_visible()

    page.get_by_role("button", name="Final checks").click()
    checks = page.locator("aside")
    trigger_group = checks.get_by_role("region", name=re.compile("^Trigger"))
    step_group = checks.get_by_role("region", name=re.compile(r"\(pick\)"))
    expect(trigger_group).to_contain_text("'61 2 * * *' is not a valid cron expression")
    expect(step_group).to_contain_text("Integration in Source must be set.")
    expect(checks.get_by_role("status").filter(has_text="to fix")).to_have_text("2 issues to fix")
    assert not PYDANTIC.search(checks.inner_text())
    screenshot(page, "plain-words-final-checks-all-at-once")


def test_a_schedule_describes_its_fields_keeps_its_time_across_repeat_kinds_and_reads_24_hours(
    page: Page, served: Server
) -> None:
    """Repeat and Time zone say what they do; daily 02:00 switched to Cron is `0 2 * * *`, and back it is daily
    02:00; the time field shows 02:00 and 14:30, never AM/PM."""
    document = {
        "name": "Words: schedule",
        "trigger": {"type": "schedule", "daily": "02:00", "timezone": "UTC"},
        "steps": [PICK],
    }
    workflow_id = open_editor(page, served, document)
    panel = open_node(page, "trigger-node")
    repeat = panel.get_by_role("combobox", name="Repeat")
    expect(repeat).to_have_accessible_description(re.compile("How often the workflow runs"))
    expect(panel.get_by_role("combobox", name="Time zone")).to_have_accessible_description(re.compile("wall-clock"))

    time = panel.get_by_role("textbox", name="Time", exact=True)
    expect(time).to_have_value("02:00")
    assert time.get_attribute("type") != "time"  # a native time input shows "02:00 AM" in an English browser
    expect(time).to_have_accessible_description(re.compile("24-hour clock"))
    assert "AM" not in panel.inner_text()
    assert "PM" not in panel.inner_text()

    pick(page, repeat, "Cron expression")
    expect(panel.get_by_role("textbox", name="Cron expression")).to_have_value("0 2 * * *")
    eventually(lambda: draft_of(served, workflow_id)["trigger"], lambda t: t.get("cron") == "0 2 * * *")
    screenshot(page, "plain-words-schedule-cron-keeps-time")

    pick(page, repeat, "Daily")
    expect(time).to_have_value("02:00")
    eventually(lambda: draft_of(served, workflow_id)["trigger"], lambda t: t.get("daily") == "02:00")

    time.fill("14:30")
    eventually(lambda: draft_of(served, workflow_id)["trigger"], lambda t: t.get("daily") == "14:30")
    pick(page, repeat, "Weekly")
    expect(time).to_have_value("14:30")
    expect(panel.get_by_text("The days of the week it runs on, at the time below.")).to_be_visible()
    eventually(lambda: draft_of(served, workflow_id)["trigger"], lambda t: t.get("weekly", {}).get("time") == "14:30")
    time.fill("2:30 PM")
    expect(panel.get_by_text("Write the time as HH:MM on the 24-hour clock, e.g. 02:00 or 14:30.")).to_be_visible()
    assert draft_of(served, workflow_id)["trigger"]["weekly"]["time"] == "14:30"  # the bad text was not saved
    screenshot(page, "plain-words-schedule-24-hours")


def test_template_fields_explain_without_notation_and_insert_a_clicked_variable(page: Page, served: Server) -> None:
    """Send Alert's helper texts have no braces, pipes or <step id>; its variables are buttons, and one click puts
    the variable at the cursor of Subject (saved with the draft)."""
    alert = {
        "id": "tell",
        "type": "send_alert",
        "after": ["pick"],
        "config": {"subject": "Calls: ", "message": "Hello", "recipients": ["qa@example.com"]},
    }
    workflow_id = open_editor(page, served, manual("Words: template", PICK, alert))
    panel = open_node(page, "step-node-tell")
    expect(panel.get_by_role("textbox", name="Subject")).to_have_value("Calls: ")
    helper_texts = panel.locator("p, .mantine-Text-root").all_inner_texts()
    offending = [text for text in helper_texts if NOTATION.search(text)]
    assert offending == []

    panel.get_by_role("button", name="Insert a variable into Subject").click()
    variables = panel.get_by_role("group", name="Variables for Subject")
    expect(variables.get_by_role("button", name="Number of input rows")).to_be_visible()
    expect(variables.get_by_role("button", name="pick: rows out")).to_be_visible()  # the workflow's own steps
    screenshot(page, "plain-words-template-variables")

    subject = panel.get_by_role("textbox", name="Subject")
    subject.click()
    subject.press("End")
    variables.get_by_role("button", name="Number of input rows").click()
    expect(subject).to_have_value("Calls: {{ input.count }}")
    eventually(
        lambda: draft_of(served, workflow_id)["steps"][1]["config"]["subject"],
        lambda text: text == "Calls: {{ input.count }}",
    )


def test_a_pipeline_range_upside_down_names_its_criterion(page: Page, served: Server) -> None:
    """A minimum above the maximum: the criterion's card and the alert say so naming the criterion by its title."""
    served.api.post(
        "/pipelines",
        {
            "name": "words-range",
            "scorecard": [
                {
                    "kind": "measure_range",
                    "name": "turns_ok",
                    "title": "Enough back and forth",
                    "measure": "turns",
                    "min": 2,
                    "max": 40,
                },
            ],
        },
    )
    sign_in(page)
    page.goto("/pipelines/words-range")
    card = page.get_by_role("group", name="Criterion Enough back and forth", exact=True)
    card.get_by_role("textbox", name="Minimum").fill("50")
    page.get_by_role("button", name="Save", exact=True).click()
    sentence = "Criterion 'Enough back and forth': the minimum must not be above the maximum."
    expect(card.get_by_text(sentence)).to_be_visible()
    failed = page.get_by_role("alert").filter(has_text="The pipeline was not saved")
    expect(failed).to_contain_text(sentence)
    assert "scorecard[" not in failed.inner_text()
    assert "`min`" not in page.locator("main").inner_text()
    assert served.api.get("/pipelines/words-range")["version"] == 1
    screenshot(page, "plain-words-pipeline-range")
