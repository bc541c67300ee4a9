"""The guide end to end in a real browser, as a new user walks it against `redflare serve` with a real SMTP
server: from an empty Workflows list create a workflow, pick Integration Sync Completed, add and configure all
seven step kinds by clicking, connect them, see Final checks flag an unconfigured step, fix it, publish; then a
source pushes a sync, the run completes on the canvas, the export downloads through the browser and the alert
is in the run's outbox and in the SMTP server's mailbox.

The server is this module's own: SMTP configured, and the demo's example workflows removed (serve has no switch
to start without them), so the list starts empty as a new user's does."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import update

from redflare.adapters.db.orm import OutboxMessage, Run
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.delivery import NOT_SENT_NO_SMTP, NOT_SENT_TEST_RUN
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, canvas_settled, eventually, screenshot, serve, sign_in
from tests.integrations.conftest import chat
from tests.smtp_servers import SmtpServer, accepting_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

INTEGRATION = "crm"
WORKFLOW = "Sync triage"
ALERT_SUBJECT = "conversations need review"
EXPORT_NAME = "Reviewer B"
# A run of a live workflow takes seconds; analysis of a cold worker process can take longer.
RUN_TIMEOUT_MS = 90_000
AGENTS = ["Dana Ito", "Sam Roe", "Kim Lee"]


def sync_batch(source: str) -> list[dict[str, Any]]:
    """Six chats a source pushes (appendix D); ids are per source, so each test's source has its own."""
    return [
        chat(f"{source}-{n}", "Hello, thanks for calling. How can I help you today?", agent=AGENTS[n % 3])
        for n in range(1, 7)
    ]


# The ids the canvas gives the seven steps (the step type's first word).
STEP_IDS = ["select", "process", "filter", "sort", "distribute", "send", "schedule"]


@pytest.fixture(scope="module")
def mailbox() -> Iterator[SmtpServer]:
    with accepting_server() as server:
        yield server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, mailbox: SmtpServer) -> Iterator[Server]:
    smtp = {"REDFLARE_SMTP_HOST": mailbox.host, "REDFLARE_SMTP_PORT": str(mailbox.port), "REDFLARE_SMTP_TLS": "none"}
    # A new user's first start, without the example workflows: the list starts empty ("No workflows yet").
    with serve(tmp_path_factory.mktemp("journey") / "data", {**smtp, "REDFLARE_DEMO_WORKFLOWS": "0"}) as server:
        assert server.api.get("/workflows", limit=100)["count"] == 0
        assert server.api.get("/conversations", limit=1)["count"] > 0  # the demo conversations are there
        yield server


def push_integration(served: Server, name: str) -> dict[str, Any]:
    """A push integration, as an admin connects a source: its token is what the source pushes with."""
    return dict(served.api.post("/integrations", {"name": name, "kind": "push"}))


def seven_step_document(name: str, integration: str) -> dict[str, Any]:
    """What the canvas builds in the journey, as a document (for the run-side test that arranges it)."""

    def step(step_id: str, step_type: str, after: list[str], **config: Any) -> dict[str, Any]:
        return {"id": step_id, "type": step_type, "after": after, "config": config}

    return {
        "name": name,
        "trigger": {"type": "sync_completed", "integration": integration},
        "steps": [
            step("select", "select_conversations", []),
            step("process", "process_conversations", ["select"], pipeline="default-qa"),
            step(
                "filter",
                "filter",
                ["process"],
                condition={"combinator": "and", "rules": [{"field": "score", "operator": ">=", "value": 0}]},
            ),
            step("sort", "sort", ["filter"], by=[{"field": "score"}], limit=10),  # ascending: lowest first
            step("distribute", "distribute", ["sort"], mode="round_robin", groups=[{"name": "A"}, {"name": "B"}]),
            step(
                "send",
                "send_alert",
                ["distribute.A"],
                subject=f"{{{{ input.count }}}} {ALERT_SUBJECT}",
                message="Run {{ run.number }} of {{ workflow.name }}: {{ run.url }}",
                recipients=["qa@example.com"],
                only_when_not_empty=True,  # what a step added on the canvas starts with
            ),
            step(
                "schedule",
                "schedule_export",
                ["distribute.B"],
                name=EXPORT_NAME,
                columns=["id", "agent", "score"],
                file_type="xlsx",
                recipients=["b@example.com"],
                only_when_not_empty=True,
            ),
        ],
    }


def step_details(page: Page, title: str, step_id: str) -> Locator:
    """A step's section on the run page, opened."""
    # Named by all it shows: title and id first, then its status and summary.
    control = page.get_by_role("button", name=re.compile(rf"^{re.escape(title)} {re.escape(step_id)}\b"))
    if control.get_attribute("aria-expanded") != "true":
        control.click()
    return page.get_by_test_id(f"step-details-{step_id}")


def push_sync_and_follow_the_run(
    page: Page, served: Server, mailbox: SmtpServer, integration: dict[str, Any], workflow_id: str, *, shots: bool
) -> None:
    """The source pushes a sync; the run appears under Runs, completes on the canvas; the export downloads and
    the alert is in the outbox and in the mailbox."""
    page.get_by_role("tab", name="Runs").click()
    expect(page.get_by_text("No Runs yet")).to_be_visible()
    expect(page.get_by_text("Your workflow runs will appear here once the workflow has been executed.")).to_be_visible()
    received = len(mailbox.received)

    batch = sync_batch(integration["name"])
    served.api.push_sync(integration, batch)
    # The Runs tab polls only while a run it has listed is in progress: a run a trigger starts shows once the
    # tab is opened again (findings: /tmp/notes/e2e-findings.md).
    page.get_by_role("tab", name="Editor").click()
    page.get_by_role("tab", name="Runs").click()

    row = page.get_by_test_id("run-row-1")
    expect(row.get_by_text("Completed", exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    expect(row).to_contain_text("Integration Sync Completed")
    if shots:
        screenshot(page, "runs-tab")
    row.get_by_role("link", name="Run #1").click()
    expect(page).to_have_url(re.compile(rf"/workflows/{workflow_id}/runs/[0-9a-f]+$"))
    expect(page.get_by_role("heading", name="Run #1")).to_be_visible()
    canvas = page.get_by_test_id("run-canvas")
    for step_id in STEP_IDS:
        expect(canvas.get_by_test_id(f"step-node-{step_id}").get_by_text("completed", exact=True)).to_be_visible()
    # The run's nodes (taller than the editor's) are spread so none touches another (a few pixels between), Distribute's
    # two branches too.
    page.wait_for_function(
        """() => {
            const boxes = [...document.querySelectorAll('[data-testid="run-canvas"] .react-flow__node')]
                .map((node) => node.getBoundingClientRect());
            return boxes.length === 8 && boxes.every((a, i) => boxes.slice(i + 1).every((b) =>
                a.right <= b.left || b.right <= a.left || a.bottom + 4 <= b.top || b.bottom + 4 <= a.top));
        }"""
    )
    expect(canvas.get_by_test_id("step-node-process").get_by_text(re.compile("credits so far"))).to_have_count(0)
    if shots:
        screenshot(page, "run-page")

    export = step_details(page, "Schedule Export", "schedule")
    with page.expect_download() as downloading:
        export.get_by_role("link", name=f"Download {EXPORT_NAME}").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("id", "agent", "score")
    assert {row[0] for row in rows[1:]} <= {conversation["id"] for conversation in batch}
    assert len(rows) - 1 == 3  # round-robin: B has every other of the six

    alert = step_details(page, "Send Alert", "send")
    outbox = alert.get_by_role("table", name="Outbox messages")
    message_row = outbox.get_by_role("row").filter(has_text=f"3 {ALERT_SUBJECT}")
    expect(message_row).to_contain_text("qa@example.com")
    expect(message_row.get_by_text("Sent", exact=True)).to_be_visible(timeout=30_000)

    mails = {mail.message["Subject"]: mail for mail in mailbox.wait_for(received + 2, timeout=30)[received:]}
    assert mails[f"3 {ALERT_SUBJECT}"].rcpt_tos == ["qa@example.com"]
    assert mails["Your Report is Ready"].rcpt_tos == ["b@example.com"]
    [run] = served.api.get(f"/workflows/{workflow_id}/runs")["data"]
    assert run["trigger_type"] == "sync_completed"


def choose(page: Page, label: str, option: str, scope: Locator | None = None) -> None:
    """Pick `option` in the Mantine select labelled `label`: its list opens in a portal (the condition builder's
    lists have no name of their own, so: the one list open)."""
    (scope or page.locator("aside")).get_by_role("combobox", name=label).click()
    page.get_by_role("listbox").filter(visible=True).get_by_role("option", name=option, exact=True).click()


def add_step(page: Page, after: str, kind: str, *, port: str | None = None) -> Locator:
    """The "+" beside a node ("Add new step after …"), then a step kind in "Select a next action in the
    workflow"; answers the side panel, which opens on the new step (the canvas brings it into view).

    Waits first for the last edit to be saved: its answer brings the nodes' issue marks, and a mark that goes
    while the click is on its way moves the "+" (on a loaded machine the click then landed on the node)."""
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved$"))).to_be_visible()
    panel = page.locator("aside")
    picker = panel.get_by_role("heading", name="Select a next action in the workflow")
    for attempt in range(3):
        # On a loaded machine the canvas can still be moving when the click goes (a pan to the last step, a node
        # growing a port): the click then lands beside the "+", as a person's would, and they would click again.
        canvas_settled(page)
        page.get_by_role("button", name=f"Add new step after {after}").click()
        try:
            if port is not None:
                group = page.get_by_role("menuitem", name=port, exact=True)
                expect(group).to_be_visible(timeout=3_000)
                group.click()
            expect(picker).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")  # a group menu left open
    panel.get_by_role("button", name=kind, exact=True).click()
    expect(panel.get_by_role("heading", name=kind, exact=True)).to_be_visible()
    return panel


def drag(page: Page, source: Locator, target: Locator) -> None:
    """A React Flow drag: press, move in steps (the library needs intermediate moves), release. Hovering first
    waits until nothing covers the start (a closing dialog's overlay fades out after the dialog)."""
    canvas_settled(page)
    source.hover()
    start, end = source.bounding_box(), target.bounding_box()
    assert start is not None
    assert end is not None
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=10)
    page.mouse.up()


def right_click_edge(page: Page, name: str) -> None:
    """Right-click a line at its middle (a straight line's box has no height, which Playwright calls hidden)."""
    box = page.get_by_role("group", name=name).bounding_box()
    assert box is not None, f"no {name} on the canvas"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, button="right")


def handle(page: Page, node: str, kind: str, port: str | None = None) -> Locator:
    """A node's connection handle: its input ("target") or one of its output ports ("source")."""
    selector = f'.react-flow__handle.{kind}[data-nodeid="{node}"]'
    if port is not None:
        selector += f'[data-handleid="{port}"]'
    return page.locator(selector)


def create_from_the_empty_list(page: Page) -> str:
    expect(page.get_by_role("heading", name="No workflows yet")).to_be_visible()
    screenshot(page, "workflows-empty")
    page.get_by_role("button", name="Create workflow").click()
    dialog = page.get_by_role("dialog", name="New Workflow")
    dialog.get_by_label("Name").fill(WORKFLOW)
    dialog.get_by_role("button", name="Create").click()
    expect(page).to_have_url(re.compile(r"/workflows/[0-9a-f]+$"))
    expect(page.get_by_role("heading", name=WORKFLOW)).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def pick_the_trigger(page: Page) -> None:
    trigger = page.get_by_test_id("trigger-node")
    expect(trigger.get_by_text("Select a trigger to start a workflow")).to_be_visible()
    trigger.click()
    panel = page.locator("aside")
    expect(panel.get_by_role("heading", name="Select a trigger to start a workflow")).to_be_visible()
    panel.get_by_role("button", name="Integration Sync Completed").click()
    expect(panel.get_by_role("heading", name="Integration Sync Completed")).to_be_visible()
    choose(page, "Integration", INTEGRATION)
    expect(trigger.get_by_text("Integration Sync Completed")).to_be_visible()
    expect(trigger.get_by_text(f"integration {INTEGRATION}")).to_be_visible()


def add_and_configure_the_steps(page: Page) -> None:
    """Six steps through the "+" of the node before; the seventh through the toolbar, connected by drawing."""
    panel = add_step(page, "Integration Sync Completed", "Select Conversations")
    panel.get_by_role("textbox", name="Take at most").fill("50")

    add_step(page, "Select Conversations", "Process Conversations")
    choose(page, "Pipeline", "default-qa")

    panel = add_step(page, "Process Conversations", "Filter")
    panel.get_by_role("button", name="+ Rule").click()
    choose(page, "Field", "score")
    choose(page, "Operator", ">=")
    panel.get_by_role("textbox", name="Value").fill("0")

    panel = add_step(page, "Filter", "Sort")
    panel.get_by_role("button", name="Add sort column").click()
    choose(page, "Column", "score")
    expect(panel.get_by_role("combobox", name="Direction")).to_have_value("Ascending")  # lowest scores first
    panel.get_by_role("textbox", name="Keep the top").fill("10")

    panel = add_step(page, "Sort", "Distribute")
    choose(page, "Split by", "Round-robin")
    for index, name in enumerate(["A", "B"]):
        panel.get_by_role("button", name="Add group").click()
        panel.get_by_role("textbox", name="Group name").nth(index).fill(name)
    distribute = page.get_by_test_id("step-node-distribute")
    expect(distribute.get_by_text("B", exact=True)).to_be_visible()  # a port per group
    # The form shows what Round-robin reads and nothing of the other modes (the kind's shown_when, from the catalog).
    expect(panel.get_by_role("textbox", name="Seed")).to_be_visible()
    for other in ("Share (%)", "Count"):
        expect(panel.get_by_role("textbox", name=other, exact=True)).to_have_count(0)
    expect(panel.get_by_role("combobox", name="Otherwise")).to_have_count(0)

    panel = add_step(page, "Distribute", "Send Alert", port="A")
    panel.get_by_role("textbox", name="Subject").fill("{{ input.count }} " + ALERT_SUBJECT)
    panel.get_by_role("textbox", name="Message").fill("Run {{ run.number }} of {{ workflow.name }}: {{ run.url }}")
    recipients = panel.get_by_role("combobox", name="Recipients")
    recipients.fill("qa@example.com")
    recipients.press("Enter")

    # The toolbar's Add new step adds after the selected step (Send Alert); this export belongs on group B:
    # delete that line (the guide's count first) and draw one from port B instead.
    toolbar = page.get_by_role("toolbar", name="Canvas toolbar")
    toolbar.get_by_role("button", name="Add new step").click()
    panel = page.locator("aside")
    expect(panel.get_by_role("heading", name="Select a next action in the workflow")).to_be_visible()
    panel.get_by_role("button", name="Schedule Export", exact=True).click()
    expect(panel.get_by_role("heading", name="Schedule Export", exact=True)).to_be_visible()
    panel.get_by_role("button", name="Close panel").click()
    right_click_edge(page, "Edge from send to schedule")
    page.get_by_role("menuitem", name="Delete connection").click()
    dialog = page.get_by_role("dialog", name="Delete connection")
    expect(dialog.get_by_text("1 step after this one will be affected.")).to_be_visible()
    dialog.get_by_role("button", name="Delete connection").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("group", name="Edge from send to schedule")).to_have_count(0)
    drag(page, handle(page, "distribute", "source", "B"), handle(page, "schedule", "target"))
    expect(page.get_by_role("group", name="Edge from distribute to schedule")).to_be_visible()
    page.get_by_role("toolbar", name="Canvas toolbar").get_by_role("button", name="Organize steps").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()


def final_checks_flag_the_export_then_it_is_fixed(page: Page) -> None:
    page.get_by_role("button", name="Final checks").click()
    checks = page.locator("aside")
    expect(checks.get_by_role("heading", name="Final checks")).to_be_visible()
    expect(checks.get_by_text("Make sure all issues are fixed before publishing this workflow.")).to_be_visible()
    export_issues = checks.get_by_role("region", name=re.compile("Schedule Export"))
    for field in ("Export name", "Columns", "File type", "Recipients"):
        expect(export_issues.get_by_text(f"{field} must be set.")).to_be_visible()
    expect(page.get_by_test_id("step-node-schedule").get_by_label(re.compile(r"\d+ issues?"))).to_be_visible()
    page.get_by_role("toolbar", name="Canvas toolbar").get_by_role("button", name="Fit to view").click()
    # Fit to view keeps text readable: the workflow's start in view beside the panel, the rest a scroll away.
    expect(page.get_by_test_id("trigger-node")).to_be_in_viewport(ratio=0.99)
    canvas_settled(page)
    screenshot(page, "final-checks")

    export_issues.get_by_role("button").first.click()  # an issue selects its step and brings it into view
    expect(page.get_by_test_id("step-node-schedule")).to_be_in_viewport(ratio=0.99)  # beside the panel
    panel = page.locator("aside")
    expect(panel.get_by_role("heading", name="Schedule Export", exact=True)).to_be_visible()
    panel.get_by_role("textbox", name="Export name").fill(EXPORT_NAME)
    columns = panel.get_by_role("combobox", name="Columns")
    # It follows Distribute: its picker offers the `group` column (issue P8), as the export's input will carry it.
    columns.click()
    offered = page.get_by_role("listbox", name="Columns")
    expect(offered.get_by_role("option", name="group", exact=True)).to_be_visible()
    expect(offered.get_by_role("option", name="criterion.greeting", exact=True)).to_be_visible()
    columns.press("Escape")
    for column in ("id", "agent", "score"):
        columns.click()
        page.get_by_role("listbox", name="Columns").get_by_role("option", name=column, exact=True).click()
    columns.press("Escape")
    choose(page, "File type", "Excel (.xlsx)")
    recipients = panel.get_by_role("combobox", name="Recipients")
    recipients.fill("b@example.com")
    recipients.press("Enter")

    page.get_by_role("button", name="Final checks").click()
    expect(page.locator("aside").get_by_text("No issues: this workflow is ready to publish.")).to_be_visible()
    expect(page.get_by_test_id("step-node-schedule").get_by_label(re.compile(r"\d+ issues?"))).to_have_count(0)


def all_steps_in_view(page: Page) -> bool:
    """Whether every step node lies whole inside the window (one look at their boxes)."""
    return bool(
        page.evaluate(
            """(ids) => ids.every((id) => {
                const box = document.querySelector(`[data-testid="step-node-${id}"]`)?.getBoundingClientRect();
                return !!box && box.left >= 0 && box.top >= 0 && box.right <= innerWidth && box.bottom <= innerHeight;
            })""",
            list(STEP_IDS),
        )
    )


def test_a_new_user_builds_publishes_and_runs_a_seven_step_workflow(
    page: Page, served: Server, mailbox: SmtpServer
) -> None:
    integration = push_integration(served, INTEGRATION)
    sign_in(page)
    workflow_id = create_from_the_empty_list(page)
    pick_the_trigger(page)
    add_and_configure_the_steps(page)
    final_checks_flag_the_export_then_it_is_fixed(page)

    page.get_by_role("button", name="Close").click()
    toolbar = page.get_by_role("toolbar", name="Canvas toolbar")
    toolbar.get_by_role("button", name="Fit to view").click()
    expect(page.get_by_test_id("trigger-node")).to_be_in_viewport(ratio=0.99)  # readable: the start in view
    # Fit to view stops at a readable zoom; zoomed out, the whole workflow shows at a glance.
    for _ in range(8):
        canvas_settled(page)
        if all_steps_in_view(page):
            break
        toolbar.get_by_role("button", name="Zoom Out").click()
    for step_id in STEP_IDS:
        expect(page.get_by_test_id(f"step-node-{step_id}")).to_be_in_viewport(ratio=0.99)
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    canvas_settled(page)
    screenshot(page, "editor-seven-steps")

    # What the clicks built is the document the run side's test arranges.
    expected = seven_step_document(WORKFLOW, INTEGRATION)
    saved = served.api.get(f"/workflows/{workflow_id}/draft")
    assert saved["trigger"] == expected["trigger"]
    steps = {step["id"]: step for step in saved["steps"]}
    assert sorted(steps) == sorted(STEP_IDS)
    for want in expected["steps"]:
        assert (steps[want["id"]]["type"], steps[want["id"]]["after"]) == (want["type"], want["after"]), want["id"]
    assert steps["select"]["config"] == {"limit": 50}
    for step_id in STEP_IDS[1:]:
        want = next(step for step in expected["steps"] if step["id"] == step_id)["config"]
        assert {key: steps[step_id]["config"].get(key) for key in want} == want, step_id

    page.get_by_role("button", name="Publish workflow").click()
    confirm = page.get_by_role("dialog", name="Are you sure you want to publish this workflow?")
    expect(confirm.get_by_text("This will make the workflow live and available for execution.")).to_be_visible()
    confirm.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("button", name="Pause workflow")).to_be_visible()

    push_sync_and_follow_the_run(page, served, mailbox, integration, workflow_id, shots=True)

    page.get_by_role("link", name="Workflows").first.click()
    row = page.get_by_test_id("workflow-row").filter(has=page.get_by_role("link", name=WORKFLOW, exact=True))
    expect(row.get_by_text("Live", exact=True)).to_be_visible()
    expect(row).to_contain_text("#1 completed")
    screenshot(page, "workflows-list")


def test_a_published_seven_step_workflow_runs_when_a_sync_lands(
    page: Page, served: Server, mailbox: SmtpServer
) -> None:
    """The run side on its own (the workflow arranged through the API, published in the browser); it runs after
    the journey, which needs the list empty, and on an integration of its own."""
    integration = push_integration(served, "crm-arranged")
    created = served.api.post("/workflows", seven_step_document("Arranged triage", integration["name"]))
    sign_in(page)
    page.goto(f"/workflows/{created['id']}")
    page.get_by_role("button", name="Publish workflow").click()
    page.get_by_role("dialog", name="Are you sure you want to publish this workflow?").get_by_role(
        "button", name="Publish"
    ).click()
    expect(page.get_by_role("button", name="Pause workflow")).to_be_visible()
    push_sync_and_follow_the_run(page, served, mailbox, integration, created["id"], shots=False)
    served.api.delete(f"/workflows/{created['id']}")


def alert_after_a_test_run(
    served: Server, name: str, subject: str, recipient: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A manual workflow (a few demo chats → Send Alert) and a test run of it, ended: its alert is held."""
    document = {
        "name": name,
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "pick", "type": "select_conversations", "after": [], "config": {"limit": 3}},
            {
                "id": "tell",
                "type": "send_alert",
                "after": ["pick"],
                "config": {"subject": subject, "message": "{{ input.count }} chats", "recipients": [recipient]},
            },
        ],
    }
    created = served.api.post("/workflows", document)
    run = served.api.post(f"/workflows/{created['id']}/runs", {"test": True})
    eventually(lambda: served.api.get(f"/runs/{run['id']}"), lambda run: run["status"] == "completed")
    return created, run


def held_for_want_of_smtp(served: Server, run_id: str) -> None:
    """The run's emails as if it ran while no SMTP server was configured (held, "not sent: no SMTP server
    configured"), made from a test run's: the served app always has its SMTP server, and a test run's own emails
    are never sent."""
    store = Store.open(Settings(data_dir=served.data_dir, database_url=None), migrate_schema=False)
    try:
        with store.transaction() as session:
            session.execute(update(Run).where(Run.id == run_id).values(test=False))
            session.execute(update(OutboxMessage).where(OutboxMessage.run_id == run_id).values(reason=NOT_SENT_NO_SMTP))
    finally:
        store.close()


def test_a_test_runs_alert_shows_what_would_be_sent_and_cannot_be_sent(page: Page, served: Server) -> None:
    """Issue P8: a test run's held alert offered Send now and reached the real recipient. A test run sends no email:
    its alert shows what would be sent, and neither the run page nor the Outbox offers to send it."""
    subject = "What a test run would send"
    created, run = alert_after_a_test_run(served, "Would be sent", subject, "qa@example.com")
    ended = served.api.get(f"/runs/{run['id']}")
    [held] = next(step for step in ended["steps"] if step["id"] == "tell")["messages"]
    assert (held["status"], held["reason"], held["sendable"]) == ("held", NOT_SENT_TEST_RUN, False)

    sign_in(page)
    page.goto(f"/workflows/{created['id']}/runs/{run['id']}")
    page.get_by_role("button", name="Send Alert tell").click()
    row = page.get_by_test_id(f"message-{held['id']}")
    expect(row.get_by_text(NOT_SENT_TEST_RUN)).to_be_visible()
    expect(row.get_by_role("button", name=f"Send now: {subject}")).to_have_count(0)
    page.get_by_role("link", name="Outbox", exact=True).click()
    listed = page.get_by_role("table", name="Outbox").get_by_role("row").filter(has_text=subject)
    expect(listed.get_by_text(NOT_SENT_TEST_RUN)).to_be_visible()
    expect(listed.get_by_role("button", name=f"Send now: {subject}")).to_have_count(0)
    served.api.delete(f"/workflows/{created['id']}")


def test_an_email_held_for_want_of_smtp_is_sent_from_the_run_page(
    page: Page, served: Server, mailbox: SmtpServer
) -> None:
    """An email held because no SMTP server was configured when its run made it: on the run page an editor clicks
    Send now and it arrives."""
    subject = "Held for want of SMTP, then sent"
    created, run = alert_after_a_test_run(served, "Send a held alert", subject, "qa@example.com")
    held_for_want_of_smtp(served, run["id"])
    ended = served.api.get(f"/runs/{run['id']}")
    [held] = next(step for step in ended["steps"] if step["id"] == "tell")["messages"]
    assert (held["status"], held["reason"], held["sendable"]) == ("held", NOT_SENT_NO_SMTP, True)
    before = len(mailbox.received)

    sign_in(page)
    page.goto(f"/workflows/{created['id']}/runs/{run['id']}")
    page.get_by_role("button", name="Send Alert tell").click()
    row = page.get_by_test_id(f"message-{held['id']}")
    expect(row.get_by_text("Held", exact=True)).to_be_visible()
    expect(row.get_by_text(NOT_SENT_NO_SMTP)).to_be_visible()
    row.get_by_role("button", name=f"Send now: {subject}").click()
    expect(row.get_by_text("Sent", exact=True)).to_be_visible(timeout=10_000)
    expect(row.get_by_role("button", name=f"Send now: {subject}")).to_have_count(0)
    [mail] = mailbox.wait_for(before + 1)[before:]
    assert mail.message["Subject"] == subject
    assert mail.rcpt_tos == ["qa@example.com"]
    served.api.delete(f"/workflows/{created['id']}")


def test_the_outbox_page_lists_held_emails_and_sends_one(page: Page, served: Server, mailbox: SmtpServer) -> None:
    """Outbox (sidebar): an email held for want of SMTP under "Held", with its workflow and run; Send now → it
    arrives."""
    subject = "From the outbox page"
    name = "Outbox page"
    created, run = alert_after_a_test_run(served, name, subject, "ops@example.com")
    held_for_want_of_smtp(served, run["id"])
    before = len(mailbox.received)

    sign_in(page)
    page.get_by_role("link", name="Outbox", exact=True).click()
    expect(page.get_by_role("heading", name="Outbox", exact=True)).to_be_visible()
    page.get_by_text("Held", exact=True).first.click()  # the filter
    table = page.get_by_role("table", name="Outbox")
    row = table.get_by_role("row").filter(has_text=subject)
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=name)).to_have_attribute("href", f"/workflows/{created['id']}")
    expect(row.get_by_role("link", name=f"Run #{run['number']}")).to_have_attribute(
        "href", f"/workflows/{created['id']}/runs/{run['id']}"
    )
    expect(row.get_by_text(NOT_SENT_NO_SMTP)).to_be_visible()
    row.get_by_role("button", name=f"Send now: {subject}").click()
    expect(row).to_have_count(0)  # no longer held
    [mail] = mailbox.wait_for(before + 1)[before:]
    assert mail.message["Subject"] == subject
    page.get_by_text("Sent", exact=True).first.click()
    expect(table.get_by_role("row").filter(has_text=subject).get_by_text("Sent", exact=True)).to_be_visible()
    served.api.delete(f"/workflows/{created['id']}")
