"""Every main page passes axe (axe-core, the accessibility engine browsers' audits use) with no critical and no
serious finding: the workflows list, the editor (with a step's form open), a run's page, Pipelines (a pipeline's
form, and a conversation tried on it), Outbox and Integrations.

axe-core is the front end's pinned dev dependency (frontend/node_modules, installed by ./scripts/setup), injected
into the page as it is shown; a finding names its rule, the elements and what to fix."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import REPOSITORY, Server, canvas_settled, serve, sign_in
from tests.e2e.helpers_extra import run_now, wait_for_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

AXE = REPOSITORY / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
EXAMPLE = "Nightly QA triage"  # one of the demo's example workflows: five steps, a Distribute among them
# The whole page as axe's default run checks it (WCAG 2.0-2.2 A and AA, and best practices), in one call.
SCAN = """async () => {
    const results = await axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ") + " — " + (n.failureSummary || "").replace(/\\s+/g, " ")),
    }));
}"""


def axe_findings(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it stands (axe injected once per document)."""
    if not AXE.is_file():
        message = f"no axe-core at {AXE}: ./scripts/setup installs the front end's packages (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return list(page.evaluate(SCAN))


def assert_no_blocking_findings(page: Page, where: str) -> None:
    blocking = [finding for finding in axe_findings(page) if finding["impact"] in BLOCKING]
    described = "\n".join(
        f"  {f['impact']} {f['id']}: {f['help']}\n" + "\n".join(f"      {node}" for node in f["nodes"][:6])
        for f in blocking
    )
    assert not blocking, f"axe on {where}: {len(blocking)} critical or serious finding(s)\n{described}"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo's conversations and example workflows, and one completed run of the example."""
    with serve(tmp_path_factory.mktemp("a11y") / "data") as server:
        workflow = server.api.workflow_named(EXAMPLE)
        wait_for_run(server, run_now(server, workflow["id"])["id"])
        yield server


def open_list(page: Page, served: Server) -> None:
    expect(page.get_by_role("link", name=EXAMPLE)).to_be_visible()


def open_editor(page: Page, served: Server) -> None:
    page.goto(f"/workflows/{served.api.workflow_named(EXAMPLE)['id']}")
    expect(page.get_by_test_id("step-node-analyse")).to_be_visible()
    canvas_settled(page)


def open_editor_with_a_form(page: Page, served: Server) -> None:
    open_editor(page, served)
    page.get_by_test_id("step-node-low").click()
    expect(page.locator("aside").get_by_role("heading", name="Filter", exact=True)).to_be_visible()


def open_run_page(page: Page, served: Server) -> None:
    workflow = served.api.workflow_named(EXAMPLE)
    [run] = served.api.get(f"/workflows/{workflow['id']}/runs")["data"][-1:]
    page.goto(f"/workflows/{workflow['id']}/runs/{run['id']}")
    expect(page.get_by_role("heading", name=re.compile(r"^Run #\d+"))).to_be_visible()
    expect(page.get_by_test_id("run-canvas").get_by_test_id("step-node-analyse")).to_be_visible()


def open_runs_tab(page: Page, served: Server) -> None:
    page.goto(f"/workflows/{served.api.workflow_named(EXAMPLE)['id']}/runs")
    expect(page.get_by_test_id("run-row-1")).to_be_visible()


def open_pipelines(page: Page, served: Server) -> None:
    page.goto("/pipelines")
    expect(page.get_by_role("table", name="Pipelines")).to_be_visible()


def open_pipeline_form(page: Page, served: Server) -> None:
    page.goto("/pipelines/default-qa")
    expect(page.get_by_role("heading", name="default-qa", exact=True)).to_be_visible()


def open_pipeline_try(page: Page, served: Server) -> None:
    """A demo chat tried on default-qa: the result with its transcript."""
    [chat] = served.api.get("/conversations", integration="demo", limit=1)["data"]
    open_pipeline_form(page, served)
    page.get_by_role("tab", name="Try on a conversation").click()
    conversation = page.get_by_role("combobox", name="Conversation")
    conversation.click()
    conversation.fill(chat["id"])
    page.get_by_role("option", name=re.compile(rf"^{re.escape(chat['id'])}\b")).first.click()
    page.get_by_role("button", name="Try", exact=True).click()
    expect(page.get_by_label("Transcript", exact=True)).to_be_visible(timeout=120_000)


def open_outbox(page: Page, served: Server) -> None:
    page.goto("/outbox")
    expect(page.get_by_role("heading", name="Outbox", exact=True)).to_be_visible()


def open_integrations(page: Page, served: Server) -> None:
    page.goto("/integrations")
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()


PAGES: dict[str, Callable[[Page, Server], None]] = {
    "the workflows list": open_list,
    "the editor": open_editor,
    "the editor with a step's form": open_editor_with_a_form,
    "a run's page": open_run_page,
    "the Runs tab": open_runs_tab,
    "Pipelines": open_pipelines,
    "a pipeline's form": open_pipeline_form,
    "a conversation tried on a pipeline": open_pipeline_try,
    "the Outbox": open_outbox,
    "Integrations": open_integrations,
}


@pytest.mark.parametrize("where", list(PAGES))
def test_no_critical_or_serious_axe_findings(page: Page, served: Server, where: str) -> None:
    sign_in(page)
    PAGES[where](page, served)
    assert_no_blocking_findings(page, where)


@pytest.mark.parametrize("where", ["the workflows list", "the editor", "a run's page", "Pipelines", "the Outbox"])
def test_each_page_has_one_level_one_heading(page: Page, served: Server, where: str) -> None:
    """A screen reader's first jump (to the page's h1) lands on what the page is."""
    sign_in(page)
    PAGES[where](page, served)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_be_visible()


def test_the_sign_in_page_passes_too(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert_no_blocking_findings(page, "the sign-in page")
