"""Editing on the canvas in a real browser: Change trigger (the guide's warning, the steps cleared) and Clear
trigger; Delete step with the count of the steps it affects (right-click); and each control of the canvas
toolbar — Drag mode / Select mode (a box selects steps; the Delete key deletes them together, one undo), Zoom In,
Zoom Out, Fit to view, Organize steps, Show minimap / Hide minimap.
Each test arranges its own workflow through the API; what it checks is done by clicking."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, canvas_settled, eventually, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

# How `chain`'s steps are named in dialogs: their nodes' title and summary.
PICK = "Select Conversations — at most 20"
TOP = "Sort — Top 5 by started_at ↓"
TELL = "Send Alert — To qa@example.com · “New chats”"
REPORT = "Schedule Export — CSV · 1 recipient"
CHANGE_WARNING = "Changing the trigger will clear the current workflow steps, Are you sure you want to change?"


def chain(name: str, *, layout: dict[str, Any] | None = None) -> dict[str, Any]:
    """Trigger → pick → top → tell, and a second branch pick → report: four steps, all configured."""
    return {
        "name": name,
        "trigger": {"type": "sync_completed", "integration": "demo"},
        "steps": [
            {"id": "pick", "type": "select_conversations", "after": [], "config": {"limit": 20}},
            {
                "id": "top",
                "type": "sort",
                "after": ["pick"],
                "config": {"by": [{"field": "started_at", "direction": "desc"}], "limit": 5},
            },
            {
                "id": "tell",
                "type": "send_alert",
                "after": ["top"],
                "config": {
                    "subject": "New chats",
                    "message": "{{ input.count }} chats",
                    "recipients": ["qa@example.com"],
                },
            },
            {
                "id": "report",
                "type": "schedule_export",
                "after": ["pick"],
                "config": {
                    "name": "Chats",
                    "columns": ["id", "agent"],
                    "file_type": "csv",
                    "recipients": ["a@example.com"],
                },
            },
        ],
        **({"layout": layout} if layout else {}),
    }


def open_editor(page: Page, served: Server, document: dict[str, Any]) -> str:
    created = served.api.post("/workflows", document)
    sign_in(page)
    page.goto(f"/workflows/{created['id']}")
    expect(page.get_by_role("heading", name=document["name"])).to_be_visible()
    return str(created["id"])


def node(page: Page, step_id: str) -> Locator:
    return page.get_by_test_id(f"step-node-{step_id}")


def saved(page: Page) -> None:
    """The draft's last edit reached the server (the canvas's save status)."""
    expect(page.get_by_text("Saved", exact=True)).to_be_visible()


def zoom(page: Page) -> float:
    """The canvas's scale, from the React Flow viewport's transform."""
    return float(
        page.locator(".react-flow__viewport").evaluate(
            "element => new DOMMatrix(getComputedStyle(element).transform).a"
        )
    )


def wait_for_zoom(page: Page, compare: str, than: float) -> float:
    """Waits until the scale moved past `than`, then until its animation has stopped; answers the scale."""
    page.wait_for_function(
        f"""([before]) => new DOMMatrix(getComputedStyle(document.querySelector(".react-flow__viewport")).transform).a
            {compare} before""",
        arg=[than],
    )
    page.evaluate(
        """() => new Promise((resolve) => {
            const viewport = document.querySelector(".react-flow__viewport");
            let last = null;
            const tick = () => {
                const now = getComputedStyle(viewport).transform;
                if (now === last) resolve();
                else { last = now; setTimeout(tick, 50); }
            };
            tick();
        })"""
    )
    return zoom(page)


def test_change_trigger_warns_and_clears_the_steps_then_clear_trigger(page: Page, served: Server) -> None:
    workflow_id = open_editor(page, served, chain("Editing: change trigger"))
    page.get_by_test_id("trigger-node").click()
    panel = page.locator("aside")
    expect(panel.get_by_role("heading", name="Integration Sync Completed")).to_be_visible()

    panel.get_by_role("button", name="Change trigger").click()
    dialog = page.get_by_role("dialog", name="Change trigger")
    expect(dialog.get_by_text(CHANGE_WARNING)).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(node(page, "pick")).to_be_visible()  # cancelled: nothing changed

    panel.get_by_role("button", name="Change trigger").click()
    page.get_by_role("dialog", name="Change trigger").get_by_role("button", name="Yes, change").click()
    expect(panel.get_by_role("heading", name="Select a trigger to start a workflow")).to_be_visible()
    panel.get_by_role("button", name="On a Schedule").click()
    trigger = page.get_by_test_id("trigger-node")
    expect(trigger.get_by_text("On a Schedule")).to_be_visible()
    expect(page.locator('[data-testid^="step-node-"]')).to_have_count(0)
    draft = served.api.get(f"/workflows/{workflow_id}/draft")
    assert (draft["trigger"]["type"], draft["steps"]) == ("schedule", [])

    expect(panel.get_by_role("heading", name="On a Schedule")).to_be_visible()
    panel.get_by_role("button", name="Clear trigger").click()
    expect(trigger.get_by_text("Select a trigger to start a workflow")).to_be_visible()
    assert served.api.get(f"/workflows/{workflow_id}/draft").get("trigger") is None

    panel.get_by_role("button", name="Close panel").click()
    expect(panel).to_have_count(0)


def test_delete_step_says_how_many_steps_it_affects(page: Page, served: Server) -> None:
    workflow_id = open_editor(page, served, chain("Editing: delete step"))
    node(page, "pick").click(button="right")
    page.get_by_role("menuitem", name="Delete step").click()
    dialog = page.get_by_role("dialog", name="Delete step")
    expect(dialog.get_by_text("3 steps after this one will be affected.")).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(node(page, "pick")).to_be_visible()

    node(page, "top").click(button="right")
    page.get_by_role("menuitem", name="Delete step").click()
    dialog = page.get_by_role("dialog", name="Delete step")
    expect(dialog.get_by_text("1 step after this one will be affected.")).to_be_visible()
    expect(dialog.get_by_role("listitem")).to_have_text([TELL])  # named as its node is, not by its id
    dialog.get_by_role("button", name="Delete step").click()
    expect(node(page, "top")).to_have_count(0)
    expect(node(page, "tell")).to_be_visible()
    saved(page)
    steps = {step["id"]: step for step in served.api.get(f"/workflows/{workflow_id}/draft")["steps"]}
    assert sorted(steps) == ["pick", "report", "tell"]
    assert steps["tell"]["after"] == []
    # With no input left, the alert takes what the trigger starts with (the sync's conversations).
    expect(page.get_by_role("group", name="Edge from trigger to tell")).to_have_count(1)


def test_zoom_in_zoom_out_fit_to_view_and_the_minimap(page: Page, served: Server) -> None:
    open_editor(page, served, chain("Editing: zoom"))
    canvas_settled(page)
    toolbar = page.get_by_role("toolbar", name="Canvas toolbar")
    start = zoom(page)
    toolbar.get_by_role("button", name="Zoom In").click()
    zoomed_in = wait_for_zoom(page, ">", start)
    toolbar.get_by_role("button", name="Zoom Out").click()
    scale = wait_for_zoom(page, "<", zoomed_in)

    for _ in range(3):
        toolbar.get_by_role("button", name="Zoom In").click()
        scale = wait_for_zoom(page, ">", scale)
    expect(node(page, "tell")).not_to_be_in_viewport(ratio=1)  # zoomed in: partly out of sight
    toolbar.get_by_role("button", name="Fit to view").click()
    for step_id in ("pick", "top", "tell", "report"):
        expect(node(page, step_id)).to_be_in_viewport(ratio=0.99)

    minimap = page.locator(".react-flow__minimap")
    expect(minimap).to_be_visible()
    toolbar.get_by_role("button", name="Hide minimap").click()
    expect(minimap).to_have_count(0)
    toolbar.get_by_role("button", name="Show minimap").click()
    expect(minimap).to_be_visible()
    expect(toolbar.get_by_role("button", name="Hide minimap")).to_be_visible()


def test_drag_mode_pans_and_select_mode_selects_with_a_box(page: Page, served: Server) -> None:
    workflow_id = open_editor(page, served, chain("Editing: modes"))
    canvas_settled(page)
    toolbar = page.get_by_role("toolbar", name="Canvas toolbar")
    drag_mode = toolbar.get_by_role("button", name="Drag mode")
    select_mode = toolbar.get_by_role("button", name="Select mode")
    expect(drag_mode).to_have_attribute("aria-pressed", "true")
    pane = page.locator(".react-flow__pane")
    box = pane.bounding_box()
    assert box is not None
    # An empty spot near the canvas's bottom-left corner (above the save status), clear of every node.
    x, y = box["x"] + 60, box["y"] + box["height"] - 120
    before = node(page, "pick").bounding_box()
    assert before is not None

    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 150, y - 80, steps=10)
    page.mouse.up()
    page.wait_for_function(
        """([left]) => document.querySelector('[data-testid="step-node-pick"]').getBoundingClientRect().left
            > left + 100""",
        arg=[before["x"]],
    )  # Drag mode: the whole canvas moved with the mouse

    select_mode.click()
    expect(select_mode).to_have_attribute("aria-pressed", "true")
    expect(drag_mode).to_have_attribute("aria-pressed", "false")
    pick, top = node(page, "pick").bounding_box(), node(page, "top").bounding_box()
    assert pick is not None
    assert top is not None
    left, upper = min(pick["x"], top["x"]) - 15, min(pick["y"], top["y"]) - 15
    right = max(pick["x"] + pick["width"], top["x"] + top["width"]) + 15
    lower = max(pick["y"] + pick["height"], top["y"] + top["height"]) + 15
    page.mouse.move(left, upper)
    page.mouse.down()
    page.mouse.move(right, lower, steps=10)
    page.mouse.up()
    selected = page.locator(".react-flow__node.selected")
    expect(selected).to_have_count(2)
    expect(selected.filter(has=node(page, "pick"))).to_have_count(1)
    expect(selected.filter(has=node(page, "top"))).to_have_count(1)

    # Right-click on the selection (React Flow's rectangle over it) offers to delete all of it; Escape closes the
    # menu and the selection stays.
    page.locator(".react-flow__nodesselection-rect").click(button="right")
    expect(page.get_by_role("menuitem", name="Delete 2 steps")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menuitem", name="Delete 2 steps")).to_have_count(0)
    expect(selected).to_have_count(2)
    # The Delete key deletes the box's steps together: one confirmation counting what follows them, one undo.
    page.keyboard.press("Delete")
    dialog = page.get_by_role("dialog", name="Delete steps")
    expect(dialog.get_by_text(f"Delete 2 steps: “{PICK}”, “{TOP}”?")).to_be_visible()
    expect(dialog.get_by_text("2 steps after these will be affected.")).to_be_visible()
    expect(dialog.get_by_role("listitem")).to_have_text([TELL, REPORT])
    dialog.get_by_role("button", name="Delete steps").click()
    expect(node(page, "pick")).to_have_count(0)
    expect(node(page, "top")).to_have_count(0)
    saved(page)
    steps = {step["id"]: step for step in served.api.get(f"/workflows/{workflow_id}/draft")["steps"]}
    assert sorted(steps) == ["report", "tell"]
    assert (steps["tell"]["after"], steps["report"]["after"]) == ([], [])
    page.keyboard.press("Control+z")
    expect(node(page, "pick")).to_be_visible()
    expect(node(page, "top")).to_be_visible()
    saved(page)
    restored = {step["id"]: step for step in served.api.get(f"/workflows/{workflow_id}/draft")["steps"]}
    assert (restored["top"]["after"], restored["tell"]["after"]) == (["pick"], ["top"])


def test_organize_steps_lays_out_overlapping_steps(page: Page, served: Server) -> None:
    piled = {step: {"x": 400, "y": 200} for step in ("pick", "top", "tell", "report")}
    workflow_id = open_editor(page, served, chain("Editing: organize", layout=piled))
    boxes = [node(page, step).bounding_box() for step in ("pick", "top", "tell", "report")]
    assert len({(box["x"], box["y"]) for box in boxes if box}) == 1  # all on one spot

    page.get_by_role("toolbar", name="Canvas toolbar").get_by_role("button", name="Organize steps").click()
    # All four boxes read at once: the canvas fits itself to the new layout with an animation.
    page.wait_for_function(
        """() => {
            const boxes = ["pick", "top", "tell", "report"].map((id) =>
                document.querySelector(`[data-testid="step-node-${id}"]`).getBoundingClientRect());
            return boxes.every((one, index) => boxes.slice(index + 1).every((other) =>
                one.right <= other.left || other.right <= one.left || one.bottom <= other.top
                || other.bottom <= one.top));
        }"""
    )
    canvas_settled(page)
    for step_id in ("pick", "top", "tell", "report"):
        expect(node(page, step_id)).to_be_in_viewport()
    eventually(
        lambda: served.api.get(f"/workflows/{workflow_id}/draft")["layout"],
        lambda layout: len({(place["x"], place["y"]) for place in layout.values()}) >= 4,
    )
