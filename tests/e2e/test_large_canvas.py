"""A 200-step workflow in a real browser: the canvas opens readable at its start (Fit to view never goes below a
readable zoom; the minimap shows every step), zoomed out it shows every step (React Flow renders only what is in
view beyond 150 nodes, so counts are read with the whole workflow in view), a dragged step keeps its new place in
the saved layout, and Organize steps lays all 200 out without overlaps. How long opening and organizing took is
printed, never asserted."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, canvas_settled, eventually, screenshot, sign_in
from tests.e2e.helpers_extra import drag_by

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

STEPS = 200
BRANCHES = 14  # roughly as many rows as columns, so the whole workflow fits the view at a readable zoom
NOT_NOBODY = {"combinator": "and", "rules": [{"field": "agent", "operator": "!=", "value": "nobody"}]}
NEWEST = [{"field": "started_at", "direction": "desc"}]


def large_document(name: str) -> dict[str, Any]:
    """One Select Conversations, then 199 filters and sorts in fourteen chains hanging off it."""
    steps: list[dict[str, Any]] = [{"id": "pick", "type": "select_conversations", "after": [], "config": {"limit": 50}}]
    for index in range(STEPS - 1):
        branch, depth = index % BRANCHES, index // BRANCHES
        after = "pick" if depth == 0 else f"b{branch}-{depth - 1}"
        if index % 2:
            steps.append({"id": f"b{branch}-{depth}", "type": "sort", "after": [after], "config": {"by": NEWEST}})
        else:
            steps.append(
                {"id": f"b{branch}-{depth}", "type": "filter", "after": [after], "config": {"condition": NOT_NOBODY}}
            )
    return {"name": name, "trigger": {"type": "manual"}, "steps": steps}


def rendered_steps(page: Page) -> int:
    return page.locator('[data-testid^="step-node-"]').count()


def flow_position(page: Page, step_id: str) -> tuple[float, float]:
    """A node's place on the canvas (React Flow's own coordinates, from its wrapper's transform)."""
    x, y = page.locator(f'.react-flow__node[data-id="{step_id}"]').evaluate(
        "element => { const m = new DOMMatrix(getComputedStyle(element).transform); return [m.e, m.f]; }"
    )
    return float(x), float(y)


def overlapping_pairs(page: Page) -> int:
    """How many pairs of step boxes on screen overlap (read in one look)."""
    return int(
        page.evaluate(
            """() => {
                const boxes = [...document.querySelectorAll('[data-testid^="step-node-"]')]
                    .map((node) => node.getBoundingClientRect());
                let pairs = 0;
                boxes.forEach((one, index) => boxes.slice(index + 1).forEach((other) => {
                    if (one.left < other.right - 0.5 && other.left < one.right - 0.5
                        && one.top < other.bottom - 0.5 && other.top < one.bottom - 0.5) pairs += 1;
                }));
                return pairs;
            }"""
        )
    )


def zoom_out_until_all_show(page: Page) -> None:
    """Zoom Out until every step is in view (and so rendered): as a user does to see a workflow this large whole."""
    toolbar = page.get_by_role("toolbar", name="Canvas toolbar")
    for _ in range(20):
        if rendered_steps(page) == STEPS:
            return
        toolbar.get_by_role("button", name="Zoom Out").click()
        canvas_settled(page)
    expect(page.locator('[data-testid^="step-node-"]')).to_have_count(STEPS)


def test_a_two_hundred_step_workflow_opens_drags_and_organizes(page: Page, served: Server) -> None:
    name = "Large: two hundred steps"
    document = large_document(name)
    assert len(document["steps"]) == STEPS
    workflow_id = served.api.post("/workflows", document)["id"]
    assert served.api.get(f"/workflows/{workflow_id}/issues")["issues"] == []
    sign_in(page)
    toolbar = page.get_by_role("toolbar", name="Canvas toolbar")

    started = time.monotonic()
    page.goto(f"/workflows/{workflow_id}")
    # Opened at a readable zoom, its start in view: the minimap holds every step, the canvas those in view.
    expect(page.locator(".react-flow__minimap-node")).to_have_count(STEPS + 1, timeout=60_000)  # and the trigger
    expect(page.get_by_test_id("trigger-node")).to_be_in_viewport()
    opened = time.monotonic() - started
    canvas_settled(page)
    assert 0 < rendered_steps(page) < STEPS
    screenshot(page, "canvas-200-steps")

    # Zoomed out, every step shows; zoomed in, those out of view are left unrendered.
    zoom_out_until_all_show(page)
    for _ in range(4):
        toolbar.get_by_role("button", name="Zoom In").click()
        canvas_settled(page)
    print(f"\n200-step canvas: {rendered_steps(page)} steps rendered zoomed in")
    zoom_out_until_all_show(page)

    # Drag one step down: it stays where it was dropped, and that place is what the saved layout holds.
    moved = "b3-7"
    x, y = flow_position(page, moved)
    scale = float(
        page.locator(".react-flow__viewport").evaluate(
            "element => new DOMMatrix(getComputedStyle(element).transform).a"
        )
    )
    drag_by(page, page.get_by_test_id(f"step-node-{moved}"), 0, 60)
    layout = eventually(
        lambda: served.api.get(f"/workflows/{workflow_id}/draft").get("layout") or {},
        lambda layout: moved in layout,
    )
    dropped = flow_position(page, moved)
    assert (layout[moved]["x"], layout[moved]["y"]) == pytest.approx(dropped, abs=1)
    assert dropped[0] == pytest.approx(x, abs=1)
    assert dropped[1] > y + 30 / scale  # moved down (the drag starts a few pixels into the gesture)
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()

    # Organize steps: every step gets a place of its own, saved.
    started = time.monotonic()
    toolbar.get_by_role("button", name="Organize steps").click()
    organized = eventually(
        lambda: served.api.get(f"/workflows/{workflow_id}/draft").get("layout") or {},
        lambda layout: len(layout) == STEPS + 1,
        timeout=60,
    )
    took = time.monotonic() - started
    assert len({(place["x"], place["y"]) for place in organized.values()}) == STEPS + 1
    canvas_settled(page)
    zoom_out_until_all_show(page)
    assert overlapping_pairs(page) == 0
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    screenshot(page, "canvas-200-steps-organized")
    print(f"200-step canvas: opened in {opened:.2f} s, organized and saved in {took:.2f} s")
