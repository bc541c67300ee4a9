"""The lifecycle in a real browser: publish, pause and resume from the workflow's header; Edit workflow and the
Unpublished Changes notice; Workflow versions with Set as active; Duplicate workflow and Delete workflow from the
list's row actions. Each test arranges its own workflow through the API (a valid document) so the lifecycle is
what it exercises, not the canvas."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, eventually, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]


def ready_document(name: str, *, limit: int = 3) -> dict[str, Any]:
    """A workflow with no Final checks issues: a manual trigger, the demo's newest chats, sorted."""
    return {
        "name": name,
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "pick", "type": "select_conversations", "after": [], "config": {"source": "all", "limit": 5}},
            {
                "id": "top",
                "type": "sort",
                "after": ["pick"],
                "config": {"by": [{"field": "started_at", "direction": "desc"}], "limit": limit},
            },
        ],
    }


def open_workflow(page: Page, served: Server, name: str, document: dict[str, Any] | None = None) -> str:
    created = served.api.post("/workflows", document or ready_document(name))
    sign_in(page)
    page.goto(f"/workflows/{created['id']}")
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    return str(created["id"])


def header_status(page: Page, status: str) -> None:
    # The workflow's name is the page's level-one heading; its status badge sits beside it.
    expect(page.get_by_role("heading", level=1).locator("xpath=..").get_by_text(status, exact=True)).to_be_visible()


def publish(page: Page) -> None:
    page.get_by_role("button", name="Publish workflow").click()
    dialog = page.get_by_role("dialog", name="Are you sure you want to publish this workflow?")
    expect(dialog.get_by_text("This will make the workflow live and available for execution.")).to_be_visible()
    dialog.get_by_role("button", name="Publish").click()
    expect(dialog).to_be_hidden()
    header_status(page, "Live")


def test_publish_pause_and_resume(page: Page, served: Server) -> None:
    workflow_id = open_workflow(page, served, "Lifecycle: pause and resume")
    header_status(page, "Draft")
    publish(page)
    expect(page.get_by_role("button", name="Publish workflow")).to_have_count(0)

    page.get_by_role("button", name="Pause workflow").click()
    dialog = page.get_by_role("dialog", name="Pause workflow")
    expect(dialog.get_by_text("will not affect any ongoing workflow runs.", exact=False)).to_be_visible()
    dialog.get_by_role("button", name="Pause").click()
    header_status(page, "Paused")
    assert served.api.get(f"/workflows/{workflow_id}")["state"] == "paused"

    page.get_by_role("button", name="Resume workflow").click()
    dialog = page.get_by_role("dialog", name="Resume workflow")
    expect(dialog.get_by_text("will resume any upcoming workflow runs.", exact=False)).to_be_visible()
    dialog.get_by_role("button", name="Resume").click()
    header_status(page, "Live")
    expect(page.get_by_role("button", name="Pause workflow")).to_be_visible()
    assert served.api.get(f"/workflows/{workflow_id}")["state"] == "live"


def test_a_draft_with_issues_is_refused_with_the_guides_words(page: Page, served: Server) -> None:
    open_workflow(page, served, "Lifecycle: not ready", {"name": "Lifecycle: not ready"})
    page.get_by_role("button", name="Publish workflow").click()
    refusal = page.get_by_role("dialog", name="Publish workflow")
    expect(
        refusal.get_by_text("Please resolve the issues in the workflow before publishing the workflow.")
    ).to_be_visible()
    expect(refusal.get_by_text("Select a trigger to start a workflow")).to_be_visible()
    refusal.get_by_role("button", name="OK").click()
    # The refusal opens Final checks beside the canvas.
    expect(page.get_by_text("Make sure all issues are fixed before publishing this workflow.")).to_be_visible()
    header_status(page, "Draft")


def test_edit_workflow_then_versions_set_as_active(page: Page, served: Server) -> None:
    name = "Lifecycle: versions"
    workflow_id = open_workflow(page, served, name)
    publish(page)

    # A second version: Edit workflow makes a fresh draft from the live one; a change makes it unpublished.
    page.get_by_role("button", name="Edit workflow").click()
    dialog = page.get_by_role("dialog", name="Edit workflow")
    expect(dialog.get_by_text("without affecting what's currently running", exact=False)).to_be_visible()
    dialog.get_by_role("button", name="Edit workflow").click()
    expect(dialog).to_be_hidden()
    served.api.client.put(f"/workflows/{workflow_id}/draft", json=ready_document(name, limit=2)).raise_for_status()
    page.reload()
    expect(page.get_by_text("Unpublished Changes").first).to_be_visible()
    expect(page.get_by_text("This workflow has changes that are not published yet.")).to_be_visible()
    publish(page)
    expect(page.get_by_text("This workflow has changes that are not published yet.")).to_have_count(0)
    assert served.api.get(f"/workflows/{workflow_id}")["active_version"] == 2

    page.get_by_role("button", name="Workflow versions").click()
    drawer = page.get_by_role("dialog", name="Workflow versions")
    expect(drawer.get_by_text("Select a version to view, or make one active")).to_be_visible()
    version_1 = drawer.get_by_role("row", name="Version 1")
    version_2 = drawer.get_by_role("row", name="Version 2")
    expect(version_2.get_by_text("Active", exact=True)).to_be_visible()
    expect(version_2.get_by_role("button", name="Set as active")).to_have_count(0)
    version_1.get_by_role("button", name="Set as active").click()
    confirm = page.get_by_role("dialog", name=re.compile("Set version 1 as active"))
    confirm.get_by_role("button", name="Set as active").click()
    expect(confirm).to_be_hidden()
    expect(version_1.get_by_text("Active", exact=True)).to_be_visible()
    expect(version_2.get_by_role("button", name="Set as active")).to_be_visible()
    assert served.api.get(f"/workflows/{workflow_id}")["active_version"] == 1

    version_1.get_by_role("button", name="View").click()
    expect(drawer.get_by_text("Select Conversations").first).to_be_visible()


def test_duplicate_and_delete_from_the_list(page: Page, served: Server) -> None:
    name = "Lifecycle: to copy"
    served.api.post("/workflows", ready_document(name))
    sign_in(page)
    page.get_by_placeholder("Search workflows").fill("Lifecycle: to copy")
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()

    page.get_by_role("button", name=f"Actions for {name}").click()
    page.get_by_role("menu", name=f"Actions for {name}", exact=True).get_by_role(
        "menuitem", name="Duplicate workflow"
    ).click()
    copy = f"{name} (copy)"
    expect(page.get_by_role("link", name=copy)).to_be_visible()
    copied = served.api.workflow_named(copy)
    assert served.api.get(f"/workflows/{copied['id']}/draft")["steps"] == ready_document(name)["steps"]

    page.get_by_role("button", name=f"Actions for {copy}").click()
    page.get_by_role("menu", name=f"Actions for {copy}", exact=True).get_by_role(
        "menuitem", name="Delete workflow"
    ).click()
    dialog = page.get_by_role("dialog", name="Delete workflow")
    expect(
        dialog.get_by_text(
            "Deleting this workflow will delete all of its versions and runs, and any ongoing runs will be cancelled."
        )
    ).to_be_visible()
    dialog.get_by_role("button", name="Delete workflow").click()
    expect(page.get_by_role("link", name=copy)).to_have_count(0)
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert [w["name"] for w in served.api.get("/workflows", search="Lifecycle: to copy")["data"]] == [name]


def test_settings_call_limit_and_credits_limit(page: Page, served: Server) -> None:
    workflow_id = open_workflow(page, served, "Lifecycle: guardrails")
    page.get_by_role("tab", name="Settings").click()
    expect(page).to_have_url(re.compile(r"/settings$"))
    call_limit = page.get_by_role("textbox", name="Call limit")
    credits_limit = page.get_by_role("textbox", name="Credits limit")
    expect(page.get_by_text("a maximum number of times this workflow can be triggered", exact=False)).to_be_visible()
    expect(
        page.get_by_text("The workflow will automatically pause if it exceeds this amount.", exact=False)
    ).to_be_visible()
    call_limit.fill("40")
    credits_limit.fill("250")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    settings = served.api.get(f"/workflows/{workflow_id}/settings")
    assert (settings["call_limit"], settings["credits_limit"]) == (40, 250)
    page.reload()
    expect(page.get_by_role("textbox", name="Call limit")).to_have_value("40")
    expect(page.get_by_role("textbox", name="Credits limit")).to_have_value("250")

    # What the calls are made of, and what counts (issue P8): a Run now is one trigger call.
    served.api.post(f"/workflows/{workflow_id}/runs")
    page.reload()
    expect(page.get_by_test_id("call-usage")).to_have_text(
        "1 trigger + 0 conversations = 1 of 40 calls in the last 24 h"
    )
    expect(page.get_by_text("Each run started counts 1 call", exact=False)).to_be_visible()


def test_saving_settings_keeps_the_canvas_undo_and_an_undo_keeps_the_settings(page: Page, served: Server) -> None:
    """Delete a step, save a Call limit, come back and Ctrl+Z: the step returns and the limit stays."""
    workflow_id = open_workflow(page, served, "Lifecycle: settings and undo")
    page.get_by_test_id("step-node-top").click(button="right")
    page.get_by_role("menuitem", name="Delete step").click()
    page.get_by_role("dialog", name="Delete step").get_by_role("button", name="Delete step").click()
    expect(page.get_by_test_id("step-node-top")).to_have_count(0)

    page.get_by_role("tab", name="Settings").click()
    page.get_by_role("textbox", name="Call limit").fill("17")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()

    page.get_by_role("tab", name="Editor").click()
    page.get_by_test_id("step-node-pick").click()
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("step-node-top")).to_be_visible()
    expect(page.get_by_text("Saved", exact=True)).to_be_visible()
    draft = served.api.get(f"/workflows/{workflow_id}/draft")
    assert [step["id"] for step in draft["steps"]] == ["pick", "top"]
    assert served.api.get(f"/workflows/{workflow_id}/settings")["call_limit"] == 17


def test_the_outbox_without_an_smtp_server_holds_and_says_why(page: Page, served: Server) -> None:
    """No SMTP server here: a run's alert is held; "Send held emails" answers why it cannot, and the alert stays."""
    subject = "Held for want of SMTP"
    document = ready_document("Lifecycle: held alert")
    document["steps"].append(
        {
            "id": "tell",
            "type": "send_alert",
            "after": ["top"],
            "config": {"subject": subject, "message": "{{ input.count }} chats", "recipients": ["qa@example.com"]},
        }
    )
    created = served.api.post("/workflows", document)
    run = served.api.post(f"/workflows/{created['id']}/runs")
    eventually(lambda: served.api.get(f"/runs/{run['id']}"), lambda run: run["status"] == "completed")

    sign_in(page)
    page.get_by_role("link", name="Outbox", exact=True).click()
    page.get_by_text("Held", exact=True).first.click()
    row = page.get_by_role("table", name="Outbox").get_by_role("row").filter(has_text=subject)
    expect(row.get_by_text("not sent: no SMTP server configured")).to_be_visible()
    page.get_by_role("button", name="Send held emails").click()
    expect(page.get_by_role("alert").filter(has_text="no SMTP server is configured")).to_be_visible()
    expect(row.get_by_text("Held", exact=True)).to_be_visible()
    [message] = served.api.get("/outbox", run_id=run["id"])["data"]
    assert (message["status"], message["attempts"]) == ("held", [])


def test_the_publish_dialog_warns_when_a_limit_would_cut_a_run_short(page: Page, served: Server) -> None:
    """Issue P8: a limit set low stopped runs after a few conversations with no warning. Publishing, the dialog says
    what a run would take as estimated and after how many conversations the credits limit would stop it."""
    document = {
        "name": "Publish: a tight credits limit",
        "trigger": {"type": "manual"},
        "settings": {"credits_limit": 2},
        "steps": [
            {"id": "pick", "type": "select_conversations", "after": [], "config": {"source": "all", "limit": 10}},
            {
                "id": "analyse",
                "type": "process_conversations",
                "after": ["pick"],
                "config": {"pipeline": "default-qa", "reprocess": True},
            },
        ],
    }
    open_workflow(page, served, document["name"], document)
    page.get_by_role("button", name="Publish workflow").click()
    dialog = page.get_by_role("dialog", name="Are you sure you want to publish this workflow?")
    warning = dialog.get_by_test_id("publish-limit-warning")
    expect(warning).to_contain_text("About 10 conversations")
    expect(warning).to_contain_text("the credits limit would stop it after 2 of 10 conversations to process")
    dialog.get_by_role("button", name="Cancel").click()
