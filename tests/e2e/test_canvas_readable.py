"""Issue P9, item 2 — a canvas that explains itself, as a user sees it at 1440×900, 1280×720 and 1024×768: every
node shows its kind's icon, title and a one-line summary of what it does (all seven kinds and the trigger); Fit to
view keeps text readable (a minimum zoom, then scroll) with the workflow's start in view; no text on a node runs
over another, nor over another node, and no label sits on the lines; the toolbar is one row inside the canvas;
connection handles are big enough to grab; the minimap colours nodes by kind; a step added beside the open side
panel lands in view; the deletion dialog names steps as their nodes do; the runs list and the run canvas fit.

Overlaps and cut-offs are read from bounding boxes in the page, never from the screenshots (kept as artifacts)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, canvas_settled, new_page, screenshot, sign_in
from tests.e2e.helpers_extra import run_now, wait_for_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

SIZES = [(1440, 900), (1280, 720), (1024, 768)]
READABLE_ZOOM = 0.75  # canvas/view.ts: the least zoom Fit to view goes to
SMALLEST_TEXT_PX = 9  # 12-px text at that zoom
LOW = {
    "combinator": "or",
    "rules": [
        {"field": "score", "operator": "<", "value": 70},
        {"field": "sentiment_label", "operator": "=", "value": "negative"},
    ],
}
SUMMARIES = {
    "pick": "Unprocessed · demo · default-qa · at most 20",
    "analyse": "default-qa",
    "low": "score < 70 or sentiment_label is negative",
    "top": "Top 10 by score ↑",
    "split": "Reviewer A 50% · Reviewer B 50%",
    "alert": "To qa@example.com · “Low scores”",
    "report": "Excel · 3 recipients",
}
TITLES = {
    "pick": "Select Conversations",
    "analyse": "Process Conversations",
    "low": "Filter",
    "top": "Sort",
    "split": "Distribute",
    "alert": "Send Alert",
    "report": "Schedule Export",
}


def document(name: str) -> dict[str, Any]:
    """Eight nodes, one of each of the seven step kinds after a daily trigger, with no stored layout."""
    return {
        "name": name,
        "trigger": {"type": "schedule", "daily": "09:00", "timezone": "Europe/London"},
        "steps": [
            {
                "id": "pick",
                "type": "select_conversations",
                "config": {
                    "source": {"integration": "demo"},
                    "state": "unprocessed",
                    "pipeline": "default-qa",
                    "limit": 20,
                },
            },
            {"id": "analyse", "type": "process_conversations", "after": ["pick"], "config": {"pipeline": "default-qa"}},
            {"id": "low", "type": "filter", "after": ["analyse"], "config": {"condition": LOW}},
            {"id": "top", "type": "sort", "after": ["low"], "config": {"by": [{"field": "score"}], "limit": 10}},
            {
                "id": "split",
                "type": "distribute",
                "after": ["top"],
                "config": {
                    "mode": "percentage",
                    "groups": [{"name": "Reviewer A", "share": 50}, {"name": "Reviewer B", "share": 50}],
                },
            },
            {
                "id": "alert",
                "type": "send_alert",
                "after": ["split.Reviewer A"],
                "config": {
                    "subject": "Low scores",
                    "message": "{{ input.count }} calls",
                    "recipients": ["qa@example.com"],
                },
            },
            {
                "id": "report",
                "type": "schedule_export",
                "after": ["split.Reviewer B"],
                "config": {
                    "name": "Reviewer B",
                    "columns": ["id", "agent", "score"],
                    "file_type": "xlsx",
                    "recipients": ["a@example.com", "b@example.com", "c@example.com"],
                },
            },
        ],
    }


# One look at the page: every rendered node's box, its texts' boxes (each element holding text of its own), its
# handles' boxes; the edge labels; the toolbar and its buttons; the canvas; the minimap's node colours.
MEASURE = """(scope) => {
    const root = scope ? document.querySelector(scope) : document;
    const box = (element) => { const r = element.getBoundingClientRect();
        return {x: r.left, y: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
    const ownText = (element) => [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const nodes = [...root.querySelectorAll('.react-flow__node')].map((node) => ({
        id: node.dataset.id,
        box: box(node.firstElementChild),
        texts: [...node.querySelectorAll('*')].filter((e) => ownText(e) && e.getClientRects().length)
            .map((e) => ({text: e.textContent.trim(), box: box(e), control: !!e.closest('button'),
                          px: parseFloat(getComputedStyle(e).fontSize)})),
        handles: [...node.querySelectorAll('.react-flow__handle')].map(box),
    }));
    const flow = root.querySelector('.react-flow');
    const toolbar = root.querySelector('[role="toolbar"]');
    const minimap = root.querySelector('.react-flow__minimap');
    return {
        nodes,
        edgeLabels: [...root.querySelectorAll('.react-flow__edge-text, .react-flow__edgelabel-renderer *')]
            .filter((e) => ownText(e)).map(box),
        canvas: flow && box(flow),
        toolbar: toolbar && box(toolbar),
        tools: toolbar ? [...toolbar.querySelectorAll('button')].map(box) : [],
        minimap: minimap && box(minimap),
        minimapFills: [...root.querySelectorAll('.react-flow__minimap-node')]
            .map((e) => getComputedStyle(e).fill),
        zoom: new DOMMatrix(getComputedStyle(root.querySelector('.react-flow__viewport')).transform).a,
    };
}"""


def overlap(a: dict[str, float], b: dict[str, float], slack: float = 0.5) -> bool:
    return (
        a["x"] < b["right"] - slack
        and b["x"] < a["right"] - slack
        and a["y"] < b["bottom"] - slack
        and b["y"] < a["bottom"] - slack
    )


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 0.5) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


def layout_problems(seen: dict[str, Any]) -> list[str]:
    """Every overlap or cut-off in one look: texts of a node over each other or out of their node (but its "+"
    button, which sits on the corner), a node's text over another node, nodes over nodes, edge labels over each
    other."""
    problems: list[str] = []
    nodes = seen["nodes"]
    for node in nodes:
        texts = node["texts"]
        for index, one in enumerate(texts):
            if not one["control"] and not inside(one["box"], node["box"]):  # the "+" sits on the corner
                problems.append(f"{node['id']}: {one['text']!r} runs out of its node")
            for other in texts[index + 1 :]:
                nested = inside(one["box"], other["box"], 0) or inside(other["box"], one["box"], 0)
                if overlap(one["box"], other["box"]) and not nested:
                    problems.append(f"{node['id']}: {one['text']!r} overlaps {other['text']!r}")
        for other in nodes:
            if other is node:
                continue
            if overlap(node["box"], other["box"]):
                problems.append(f"nodes {node['id']} and {other['id']} overlap")
            problems += [
                f"{node['id']}: {t['text']!r} lies over node {other['id']}"
                for t in node["texts"]
                if overlap(t["box"], other["box"])
            ]
    labels = seen["edgeLabels"]
    problems += [
        "two line labels overlap" for i, one in enumerate(labels) for other in labels[i + 1 :] if overlap(one, other)
    ]
    return problems


def scroll_to(page: Page, step_id: str) -> None:
    """Drag the canvas (Drag mode) until the step is in the middle, as a user scrolls to a step out of view."""
    canvas = page.locator(".react-flow").bounding_box()
    node = page.get_by_test_id(f"step-node-{step_id}").bounding_box()
    assert canvas is not None
    assert node is not None
    start = (canvas["x"] + 16, canvas["y"] + 56)  # the pane's top-left corner: no node, line or control there
    dx = canvas["x"] + canvas["width"] / 2 - (node["x"] + node["width"] / 2)
    dy = canvas["y"] + canvas["height"] / 2 - (node["y"] + node["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + dx, start[1] + dy, steps=12)
    page.mouse.up()
    canvas_settled(page)


def open_workflow(page: Page, served: Server, name: str, size: tuple[int, int]) -> str:
    created = served.api.post("/workflows", document(name))
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page)
    page.goto(f"/workflows/{created['id']}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    return str(created["id"])


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_canvas_explains_itself_at_each_size(browser: Browser, served: Server, size: tuple[int, int]) -> None:
    width, height = size
    with new_page(browser, served.base) as page:
        open_workflow(page, served, f"Readable canvas {width}x{height}", size)
        # Each node: its kind's title and what it does.
        for step_id, summary in SUMMARIES.items():
            node = page.get_by_test_id(f"step-node-{step_id}")
            expect(node.get_by_text(summary, exact=True)).to_be_visible()
            expect(node.get_by_text(TITLES[step_id], exact=True)).to_be_visible()
        trigger = page.get_by_test_id("trigger-node")
        expect(trigger.get_by_text("On a Schedule", exact=True)).to_be_visible()
        expect(trigger.get_by_text("daily at 09:00 (Europe/London)", exact=True)).to_be_visible()

        toolbar = page.get_by_role("toolbar", name="Canvas toolbar")
        toolbar.get_by_role("button", name="Fit to view").click()
        canvas_settled(page)
        seen = page.evaluate(MEASURE, None)
        screenshot(page, f"canvas-readable-{width}x{height}")

        # Readable: not below the minimum zoom, every text at least 9 px on screen, handles big enough to grab.
        assert seen["zoom"] >= READABLE_ZOOM - 1e-6
        texts = [t for node in seen["nodes"] for t in node["texts"]]
        assert texts
        small = [t["text"] for t in texts if t["px"] * seen["zoom"] < SMALLEST_TEXT_PX - 0.01]
        assert small == []
        assert min(h["width"] for node in seen["nodes"] for h in node["handles"]) >= 9
        # The workflow's start is in view (the rest a scroll away), inside the canvas.
        expect(trigger).to_be_in_viewport()
        trigger_box = next(node["box"] for node in seen["nodes"] if node["id"] == "trigger")
        assert inside(trigger_box, seen["canvas"])

        assert layout_problems(seen) == []
        assert seen["edgeLabels"] == []  # group names sit on the Distribute node, beside their ports

        # The toolbar: one row, inside the canvas, buttons apart, clear of the minimap.
        bar = seen["toolbar"]
        assert bar["height"] <= 40, f"the toolbar wraps: {bar['height']} px tall"
        assert inside(bar, seen["canvas"])
        tools = seen["tools"]
        assert not [1 for i, one in enumerate(tools) for other in tools[i + 1 :] if overlap(one, other)]
        assert not overlap(bar, seen["minimap"])

        # The minimap colours nodes by kind: the trigger and seven kinds, eight colours.
        assert len(seen["minimapFills"]) == 8
        assert len(set(seen["minimapFills"])) == 8

        # The side panel opens beside the canvas; a step added there lands in view, left of the panel.
        page.get_by_test_id("step-node-report").click()
        toolbar.get_by_role("button", name="Add new step").click()
        panel = page.locator("aside")
        expect(panel.get_by_role("heading", name="Select a next action in the workflow")).to_be_visible()
        panel.get_by_role("button", name="Sort", exact=True).click()
        expect(panel.get_by_role("heading", name="Sort", exact=True)).to_be_visible()
        added = page.get_by_test_id("step-node-sort")
        expect(added).to_be_visible()
        canvas_settled(page)
        after = page.evaluate(MEASURE, None)
        aside = panel.bounding_box()
        box = added.bounding_box()
        assert aside is not None
        assert box is not None
        new = {"x": box["x"], "y": box["y"], "right": box["x"] + box["width"], "bottom": box["y"] + box["height"]}
        assert inside(new, after["canvas"]), f"the new step at {new} is not in the canvas {after['canvas']}"
        assert new["right"] <= aside["x"]
        assert after["toolbar"]["height"] <= 40  # the narrower canvas keeps a one-row toolbar
        assert inside(after["toolbar"], after["canvas"])
        screenshot(page, f"canvas-added-beside-panel-{width}x{height}")
        page.keyboard.press("Control+z")  # the added step goes again

        # Deleting names steps as their nodes do (title and summary), not by their ids.
        page.get_by_role("button", name="Close panel").click()
        canvas_settled(page)
        scroll_to(page, "split")
        page.get_by_test_id("step-node-split").click(button="right")
        page.get_by_role("menuitem", name="Delete step").click()
        dialog = page.get_by_role("dialog", name="Delete step")
        expect(dialog.get_by_text("Delete the step “Distribute — Reviewer A 50% · Reviewer B 50%”?")).to_be_visible()
        expect(dialog.get_by_role("listitem")).to_have_text(
            [f"Send Alert — {SUMMARIES['alert']}", f"Schedule Export — {SUMMARIES['report']}"]
        )
        screenshot(page, f"canvas-delete-dialog-{width}x{height}")
        dialog.get_by_role("button", name="Cancel").click()


def test_the_runs_list_and_the_run_canvas_fit_at_1024(browser: Browser, served: Server) -> None:
    """At 1024×768 the runs list is not cut (it fits, or scrolls inside the page), and the run canvas's nodes
    carry their summaries with run states, ports and texts apart."""
    with new_page(browser, served.base) as page:
        workflow_id = open_workflow(page, served, "Readable runs 1024", (1024, 768))
        run = wait_for_run(served, run_now(served, workflow_id)["id"])
        page.get_by_role("tab", name="Runs").click()
        table = page.get_by_role("table", name="Runs")
        expect(table).to_be_visible()
        headers = table.get_by_role("columnheader")
        expect(headers.last).to_have_text("Conversations processed")
        seen = table.evaluate(
            """(table) => {
                const r = table.closest('main').getBoundingClientRect();
                const ownText = (e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
                return {
                    page: document.documentElement.scrollWidth,
                    main: {x: r.left, right: r.right},
                    headers: [...table.querySelectorAll('th')].map((th) => {
                        const b = th.getBoundingClientRect(); return {text: th.textContent, x: b.left, right: b.right};
                    }),
                    squeezed: [...table.querySelectorAll('*')]
                        .filter((e) => ownText(e) && e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent),
                };
            }"""
        )
        assert seen["page"] <= 1024, "the page itself is wider than the window"
        cut = [h["text"] for h in seen["headers"] if h["right"] > min(1024, seen["main"]["right"]) + 0.5]
        assert cut == [], f"columns cut off at the right: {cut}"
        assert seen["squeezed"] == [], f"texts cut short with an ellipsis: {seen['squeezed']}"
        screenshot(page, "runs-list-1024")

        page.get_by_test_id(f"run-row-{run['number']}").click()
        canvas = page.get_by_test_id("run-canvas")
        expect(canvas.get_by_test_id("step-node-split").get_by_text(SUMMARIES["split"])).to_be_visible()
        canvas_settled(page)
        seen = page.evaluate(MEASURE, '[data-testid="run-canvas"]')
        assert seen["zoom"] >= READABLE_ZOOM - 1e-6  # fitted readably, as the editor is
        assert len(seen["nodes"]) >= 2
        assert layout_problems(seen) == []
        split = next(node for node in seen["nodes"] if node["id"] == "split")
        assert {"Reviewer A", "Reviewer B"} <= {t["text"] for t in split["texts"]}
        screenshot(page, "run-canvas-1024")
