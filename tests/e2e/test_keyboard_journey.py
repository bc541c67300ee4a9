"""Build and publish a workflow with the keyboard alone: no click, no pointer. Tab and Shift+Tab move the focus,
Enter and Space press what has it, arrow keys pick in lists, and typing fills fields. The user signs in, creates a
workflow, opens the trigger node (Enter on the focused node), picks Integration Sync Completed and its integration,
adds Select Conversations and Process Conversations through each node's "+" (each new step connected after the one
before, its form taking the focus), fills their fields, then publishes through the confirmation dialog.

What was built is then read back through the API: the trigger, both steps connected in order, their fields, and the
workflow live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import ADMIN, PASSWORD, Server, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

WORKFLOW = "Keyboard triage"
MOST_TABS = 80  # the longest way between two controls here: across the editor's canvas and toolbar


def focused(locator: Locator) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, locator: Locator, *, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until `locator` has the focus, as a keyboard user does; fails if it never comes."""
    expect(locator).to_be_visible()
    for _ in range(MOST_TABS):
        if focused(locator):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{MOST_TABS} Tabs never reached {locator}")


def focus_is_in(page: Page, region: Locator) -> bool:
    return bool(region.evaluate("region => region.contains(document.activeElement)"))


def pick_option(page: Page, combobox: Locator, option: str) -> None:
    """A Mantine select by keys: focus it, open its list (ArrowDown), walk to the option, Enter."""
    tab_to(page, combobox)
    page.keyboard.press("ArrowDown")
    listbox = page.get_by_role("listbox").filter(visible=True)
    expect(listbox).to_be_visible()
    wanted = listbox.get_by_role("option", name=option, exact=True)
    for _ in range(40):
        if wanted.get_attribute("data-combobox-selected") is not None:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(combobox).to_have_value(option)


def sign_in_by_keys(page: Page) -> None:
    page.goto("/")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(ADMIN)
    tab_to(page, page.get_by_role("textbox", name="Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Workflows", exact=True)).to_be_visible()


def create_by_keys(page: Page) -> str:
    tab_to(page, page.get_by_role("button", name="New Workflow"))
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="New Workflow")
    tab_to(page, dialog.get_by_label("Name"))
    page.keyboard.type(WORKFLOW)
    tab_to(page, dialog.get_by_role("button", name="Create"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/workflows/[0-9a-f]+$"))
    expect(page.get_by_role("heading", name=WORKFLOW)).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def node(page: Page, node_id: str) -> Locator:
    """A canvas node as the focus lands on it (React Flow's wrapper, reached by Tab)."""
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def add_step_by_keys(page: Page, after_title: str, kind: str) -> Locator:
    """The "+" of the node before (Tab to it, Enter), then the step kind (Tab, Enter): the new step's panel opens
    and the focus is in it, not lost to the page."""
    tab_to(page, page.get_by_role("button", name=f"Add new step after {after_title}"))
    page.keyboard.press("Enter")
    panel = page.locator("aside")
    expect(panel.get_by_role("heading", name="Select a next action in the workflow")).to_be_visible()
    tab_to(page, panel.get_by_role("button", name=kind, exact=True))
    page.keyboard.press("Space")
    expect(panel.get_by_role("heading", name=kind, exact=True)).to_be_visible()
    assert focus_is_in(page, panel), "the focus left the panel when the step was added"
    return panel


def test_a_workflow_is_built_and_published_with_the_keyboard_alone(page: Page, served: Server) -> None:
    sign_in_by_keys(page)
    workflow_id = create_by_keys(page)

    # The trigger: the focused node opens with Enter, and its panel takes the focus.
    trigger = node(page, "trigger")
    tab_to(page, trigger)
    page.keyboard.press("Enter")
    panel = page.locator("aside")
    expect(panel.get_by_role("heading", name="Select a trigger to start a workflow")).to_be_visible()
    assert focus_is_in(page, panel), "Enter on the trigger node left the focus on the canvas"
    tab_to(page, panel.get_by_role("button", name="Integration Sync Completed"))
    page.keyboard.press("Enter")
    expect(panel.get_by_role("heading", name="Integration Sync Completed")).to_be_visible()
    assert focus_is_in(page, panel), "the focus left the panel when the trigger was picked"
    pick_option(page, panel.get_by_role("combobox", name="Integration"), "demo")
    expect(page.get_by_test_id("trigger-node").get_by_text("integration demo")).to_be_visible()

    panel = add_step_by_keys(page, "Integration Sync Completed", "Select Conversations")
    tab_to(page, panel.get_by_role("textbox", name="Take at most"))
    page.keyboard.type("25")

    panel = add_step_by_keys(page, "Select Conversations", "Process Conversations")
    pick_option(page, panel.get_by_role("combobox", name="Pipeline"), "default-qa")
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved$"))).to_be_visible()

    # Final checks has nothing to say; publish through the dialog, by keys.
    tab_to(page, page.get_by_role("button", name="Publish workflow"), backwards=True)
    page.keyboard.press("Enter")
    confirm = page.get_by_role("dialog", name="Are you sure you want to publish this workflow?")
    tab_to(page, confirm.get_by_role("button", name="Publish", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Pause workflow")).to_be_visible()

    workflow = served.api.get(f"/workflows/{workflow_id}")
    assert workflow["status"] == "Live"
    draft = served.api.get(f"/workflows/{workflow_id}/draft")
    assert draft["trigger"] == {"type": "sync_completed", "integration": "demo"}
    steps = [(step["id"], step["type"], step.get("after", []), step["config"]) for step in draft["steps"]]
    assert steps == [
        ("select", "select_conversations", [], {"limit": 25}),
        ("process", "process_conversations", ["select"], {"pipeline": "default-qa"}),
    ]


def test_two_steps_already_on_the_canvas_are_connected_with_the_keyboard(page: Page, served: Server) -> None:
    """A line between two steps that are both there already, without the mouse: the step's panel has an "Input
    from" list of the steps that may feed it; choosing one connects it as a drawn line would, and it is saved."""
    sign_in_by_keys(page)
    workflow_id = create_by_keys(page)
    tab_to(page, node(page, "trigger"))
    page.keyboard.press("Enter")
    panel = page.locator("aside")
    tab_to(page, panel.get_by_role("button", name="Integration Sync Completed"))
    page.keyboard.press("Enter")
    pick_option(page, panel.get_by_role("combobox", name="Integration"), "demo")
    add_step_by_keys(page, "Integration Sync Completed", "Select Conversations")
    add_step_by_keys(page, "Select Conversations", "Process Conversations")
    # A second step after Select Conversations, beside Process Conversations: then feed it from Process instead.
    panel = add_step_by_keys(page, "Select Conversations", "Filter")
    expect(page.get_by_role("group", name="Edge from select to filter")).to_be_visible()
    source = panel.get_by_role("combobox", name="Input from")
    expect(source).to_have_value('Select Conversations "select"')
    pick_option(page, source, 'Process Conversations "process"')
    expect(page.get_by_role("group", name="Edge from process to filter")).to_be_visible()
    expect(page.get_by_role("group", name="Edge from select to filter")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved$"))).to_be_visible()
    screenshot(page, "keyboard-input-from")

    draft = served.api.get(f"/workflows/{workflow_id}/draft")
    assert [(step["id"], step.get("after", [])) for step in draft["steps"]] == [
        ("select", []),
        ("process", ["select"]),
        ("filter", ["process"]),
    ]
