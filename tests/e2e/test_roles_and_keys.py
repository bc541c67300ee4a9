"""Who may edit, and the canvas's keys, in a real browser. A viewer (made with `redflare users create`) sees a
workflow with no edit control anywhere — no Publish workflow, Add new step, New Workflow or Delete workflow, no
dragging, no Delete step on right-click, a disabled side panel, read-only Settings — but sees its runs. An editor
deletes a selected step with the Delete key (the same confirmation and count as the right-click), brings it back
with Ctrl+Z, deletes a selected connection the same way; Backspace while typing in a field edits the field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, canvas_settled, eventually, screenshot
from tests.e2e.helpers_extra import add_user, drag_by, run_now, sign_in_as, wait_for_run
from tests.e2e.test_editing import TELL, TOP, chain, node, open_editor, saved

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

VIEWER = "viewer@example.com"


def manual(document: dict[str, Any]) -> dict[str, Any]:
    """`chain` started by hand (Run now), so a run can be made without a sync."""
    return {**document, "trigger": {"type": "manual"}}


def draft_steps(served: Server, workflow_id: str) -> dict[str, dict[str, Any]]:
    return {step["id"]: step for step in served.api.get(f"/workflows/{workflow_id}/draft")["steps"]}


@pytest.fixture(scope="module")
def viewer(served: Server) -> str:
    add_user(served, VIEWER, "viewer")
    return VIEWER


def test_a_viewer_sees_no_edit_controls(page: Page, served: Server, viewer: str) -> None:
    # Published, run once, then changed: an editor would see Publish workflow and Edit controls here.
    name = "Roles: look, do not touch"
    created = served.api.post("/workflows", manual(chain(name)))
    workflow_id = created["id"]
    served.api.post(f"/workflows/{workflow_id}/publish")
    wait_for_run(served, run_now(served, workflow_id)["id"], {"completed"})
    changed = manual(chain(name))
    changed["steps"][1]["config"]["limit"] = 3
    served.api.client.put(f"/workflows/{workflow_id}/draft", json=changed).raise_for_status()
    layout_before = served.api.get(f"/workflows/{workflow_id}/draft").get("layout")

    sign_in_as(page, viewer)
    expect(page.get_by_text(f"{viewer} · viewer")).to_be_visible()
    page.get_by_placeholder("Search workflows").fill(name)
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="New Workflow")).to_have_count(0)
    expect(page.get_by_role("button", name=f"Actions for {name}")).to_have_count(0)  # no Duplicate / Delete workflow
    expect(page.get_by_text("Delete workflow")).to_have_count(0)

    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(node(page, "tell")).to_be_visible()
    expect(page.get_by_text("View only", exact=True)).to_be_visible()
    for control in ("Publish workflow", "Edit workflow", "Pause workflow", "Add new step", "Organize steps"):
        expect(page.get_by_role("button", name=control, exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Add new step after"))).to_have_count(0)
    expect(page.get_by_role("button", name="Final checks")).to_be_visible()  # reading is allowed
    screenshot(page, "viewer-workflow")

    # A drag moves nothing: the steps keep their places relative to each other (the view may pan) and the
    # saved layout is as it was.
    def offset() -> tuple[float, float]:
        top, pick = node(page, "top").bounding_box(), node(page, "pick").bounding_box()
        assert top is not None
        assert pick is not None
        return top["x"] - pick["x"], top["y"] - pick["y"]

    before = offset()
    drag_by(page, node(page, "top"), 120, 90)
    canvas_settled(page)
    assert offset() == pytest.approx(before, abs=1)
    assert served.api.get(f"/workflows/{workflow_id}/draft").get("layout") == layout_before

    # Right-click offers no Delete step, and the Delete key deletes nothing.
    node(page, "top").click(button="right")
    expect(page.get_by_role("menuitem", name="Delete step")).to_have_count(0)
    page.keyboard.press("Escape")

    # The side panel shows the step's settings, disabled.
    node(page, "top").click()
    panel = page.locator("aside")
    expect(panel.get_by_role("heading", name="Sort", exact=True)).to_be_visible()
    page.keyboard.press("Delete")
    expect(page.get_by_role("dialog", name="Delete step")).to_have_count(0)
    expect(node(page, "top")).to_be_visible()
    keep = panel.get_by_role("textbox", name="Keep the top")
    expect(keep).to_have_value("3")
    fields = panel.locator("input, textarea")
    expect(fields.first).to_be_visible()
    for index in range(fields.count()):
        expect(fields.nth(index)).to_be_disabled()
    expect(panel.get_by_role("button", name="Add sort column")).to_have_count(0)
    expect(panel.get_by_role("button", name="Remove")).to_have_count(0)

    page.get_by_test_id("trigger-node").click()
    expect(panel.get_by_role("heading", name="Manual")).to_be_visible()
    expect(panel.get_by_role("button", name="Change trigger")).to_have_count(0)
    expect(panel.get_by_role("button", name="Clear trigger")).to_have_count(0)

    # Settings: the limits can be read, not changed.
    page.get_by_role("tab", name="Settings").click()
    expect(page.get_by_text("You can view these limits; an editor can change them.")).to_be_visible()
    for field in ("Call limit", "Credits limit"):
        expect(page.get_by_role("textbox", name=field)).not_to_be_editable()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)

    # Runs: listed, and a run's page opens, with no Cancel run or Re-run.
    page.get_by_role("tab", name="Runs").click()
    row = page.get_by_test_id("run-row-1")
    expect(row.get_by_text("Completed", exact=True)).to_be_visible()
    row.get_by_role("link", name="Run #1").click()
    expect(page.get_by_role("heading", name="Run #1")).to_be_visible()
    expect(page.get_by_test_id("run-canvas").get_by_test_id("step-node-tell")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0)
    expect(page.get_by_role("button", name="Re-run from failed step")).to_have_count(0)
    assert served.api.get(f"/workflows/{workflow_id}/draft").get("layout") == layout_before


def test_delete_key_deletes_the_selected_step_and_ctrl_z_brings_it_back(page: Page, served: Server) -> None:
    workflow_id = open_editor(page, served, chain("Keys: delete and undo"))
    canvas_settled(page)
    node(page, "top").click()
    expect(page.locator("aside").get_by_role("heading", name="Sort", exact=True)).to_be_visible()

    page.keyboard.press("Delete")
    dialog = page.get_by_role("dialog", name="Delete step")
    expect(dialog.get_by_text("1 step after this one will be affected.")).to_be_visible()  # as the right-click says
    expect(dialog.get_by_role("listitem")).to_have_text([TELL])
    dialog.get_by_role("button", name="Delete step").click()
    expect(dialog).to_be_hidden()
    expect(node(page, "top")).to_have_count(0)
    eventually(lambda: draft_steps(served, workflow_id), lambda steps: "top" not in steps)
    saved(page)

    page.keyboard.press("Control+z")
    expect(node(page, "top")).to_be_visible()
    steps = eventually(lambda: draft_steps(served, workflow_id), lambda steps: "top" in steps)
    assert steps["top"]["after"] == ["pick"]
    assert steps["tell"]["after"] == ["top"]
    saved(page)


def test_delete_key_on_a_selected_connection_asks_first(page: Page, served: Server) -> None:
    workflow_id = open_editor(page, served, chain("Keys: delete a connection"))
    canvas_settled(page)
    box = page.get_by_role("group", name="Edge from top to tell").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator(".react-flow__edge.selected")).to_have_count(1)

    page.keyboard.press("Delete")
    dialog = page.get_by_role("dialog", name="Delete connection")
    expect(dialog.get_by_text(f"Delete the connection from “{TOP}” to “{TELL}”?")).to_be_visible()
    expect(dialog.get_by_text("1 step after this one will be affected.")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("group", name="Edge from top to tell")).to_have_count(1)
    # The closed dialog hands the focus back to the line once its fade-out ends; a key pressed before that
    # lands on the fading dialog's button, not on the canvas.
    page.wait_for_function("() => document.activeElement?.closest('.react-flow__edge.selected') != null")

    page.keyboard.press("Delete")
    dialog.get_by_role("button", name="Delete connection").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("group", name="Edge from top to tell")).to_have_count(0)
    steps = eventually(lambda: draft_steps(served, workflow_id), lambda steps: steps["tell"]["after"] == [])
    assert sorted(steps) == ["pick", "report", "tell", "top"]  # only the line went


def test_backspace_while_typing_in_a_field_edits_the_field_not_the_canvas(page: Page, served: Server) -> None:
    workflow_id = open_editor(page, served, chain("Keys: typing"))
    canvas_settled(page)
    node(page, "top").click()
    keep = page.locator("aside").get_by_role("textbox", name="Keep the top")
    expect(keep).to_have_value("5")
    keep.click()
    keep.press("End")
    keep.press("Backspace")
    keep.press("Delete")  # nothing after the caret: the field's own no-op
    keep.press_sequentially("12")
    expect(keep).to_have_value("12")
    expect(page.get_by_role("dialog", name="Delete step")).to_have_count(0)
    expect(node(page, "top")).to_be_visible()
    steps = eventually(
        lambda: draft_steps(served, workflow_id), lambda steps: steps["top"]["config"].get("limit") == 12
    )
    assert sorted(steps) == ["pick", "report", "tell", "top"]
