"""A run's page and the Runs tab in a real browser. A run whose alert cannot be sent (this module's server has
an SMTP server that is down, so the Send Alert step stays running while it retries) shows "running" on the
canvas until "Cancel run", confirmed, cancels it. A run that failed (the pipelines archived under it) shows its
error in red and offers "Re-run from failed step", which — the pipelines back — completes it. With two runs the
Runs tab draws its chart, and the metrics header says what GET /workflows/{id}/metrics says."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Pipeline, StepRun
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.services.imports import ImportRefused, import_path
from redflare.services.runs import cancel_run
from tests.cli.test_serve import free_port
from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import Server, eventually, serve, sign_in
from tests.e2e.helpers_extra import is_reddish, open_run, published, run_now, step, step_of, wait_for_run

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]

# A run through the worker's analysis can take a while on a cold worker process.
RUN_TIMEOUT_MS = 90_000


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Nothing listens on the SMTP port: a message is retried (every second or so, fifty times) and the Send
    Alert step waits, running, meanwhile."""
    smtp_down = {
        "REDFLARE_SMTP_HOST": "127.0.0.1",
        "REDFLARE_SMTP_PORT": str(free_port()),
        "REDFLARE_SMTP_TLS": "none",
        "REDFLARE_SMTP_TIMEOUT_S": "2",
        "REDFLARE_SMTP_MAX_ATTEMPTS": "50",
        "REDFLARE_SMTP_BACKOFF_S": "1",
    }
    with serve(tmp_path_factory.mktemp("runs") / "data", smtp_down) as server:
        yield server


@contextmanager
def pipelines_archived(served: Server) -> Iterator[None]:
    """Every pipeline archived in the served database (as tests/web/test_runs.py makes Process fail), then back."""
    store = served_store(served)

    def archive(archived: bool) -> None:
        with store.transaction() as session:
            session.execute(update(Pipeline).values(archived=archived))

    try:
        archive(True)
        yield
    finally:
        archive(False)
        store.close()


def served_store(served: Server) -> Store:
    return Store.open(Settings(data_dir=served.data_dir, database_url=None), migrate_schema=False)


@contextmanager
def cancelled_with_the_database_held(served: Server, run_id: str) -> Iterator[Connection]:
    """Cancels the run (as POST /runs/{id}/cancel does) and at once holds the database's write lock for the
    block: the run has ended, but its running step cannot record that it stopped until the block ends. What a
    busy server does for a moment by chance, made certain. Answers the locked connection, to read with."""
    store = served_store(served)  # its engine begins each transaction with BEGIN IMMEDIATE: the write lock
    try:
        with store.engine.connect() as connection:
            with connection.begin(), Session(bind=connection) as session:
                cancel_run(session, run_id, now=datetime.now(UTC))
                session.flush()
            with connection.begin():  # locked again at once, before the runner's next look (every 0.1 s)
                yield connection
    finally:
        store.close()


def run_status(page: Page, number: int, status: str) -> Locator:
    """The status badge beside the run page's heading."""
    return page.get_by_role("heading", name=f"Run #{number}").locator("xpath=..").get_by_text(status, exact=True)


def canvas_node(page: Page, step_id: str) -> Locator:
    return page.get_by_test_id("run-canvas").get_by_test_id(f"step-node-{step_id}")


def an_alert_retrying_on_its_page(page: Page, served: Server, name: str) -> dict[str, Any]:
    """A run whose Send Alert step is running (retrying against the SMTP server nobody listens on), open on its
    page."""
    workflow_id = published(
        served,
        name,
        step("pick", "select_conversations", [], limit=2),
        step(
            "tell",
            "send_alert",
            ["pick"],
            subject="{{ input.count }} chats",
            message="See them",
            recipients=["qa@example.com"],
        ),
    )
    run = run_now(served, workflow_id)
    open_run(page, workflow_id, run)
    expect(canvas_node(page, "tell").get_by_text("running", exact=True)).to_be_visible(timeout=RUN_TIMEOUT_MS)
    return run


def test_a_running_run_is_cancelled_from_its_page(page: Page, served: Server) -> None:
    run = an_alert_retrying_on_its_page(page, served, "Run page: cancel")
    expect(canvas_node(page, "pick").get_by_text("completed", exact=True)).to_be_visible()
    expect(run_status(page, 1, "Running")).to_be_visible()

    page.get_by_role("button", name="Cancel run").click()
    dialog = page.get_by_role("dialog", name="Cancel run")
    expect(dialog.get_by_text("Cancel Run #1?", exact=False)).to_be_visible()
    dialog.get_by_role("button", name="Keep running").click()
    expect(dialog).to_be_hidden()
    assert served.api.get(f"/runs/{run['id']}")["status"] == "running"

    page.get_by_role("button", name="Cancel run").click()
    dialog.get_by_role("button", name="Cancel run").click()
    expect(dialog).to_be_hidden()
    expect(run_status(page, 1, "Cancelled")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel run")).to_have_count(0)
    cancelled = eventually(
        lambda: served.api.get(f"/runs/{run['id']}"), lambda run: step_of(run, "tell")["status"] == "cancelled"
    )
    assert cancelled["status"] == "cancelled"
    # The step ends a moment after the run (at its next look); the feed waits for it, so the page shows it live.
    expect(canvas_node(page, "tell").get_by_text("cancelled", exact=True)).to_be_visible()
    expect(run_status(page, 1, "Cancelled")).to_be_visible()


def test_a_step_that_ends_after_its_run_is_cancelled_shows_it_live(page: Page, served: Server) -> None:
    run = an_alert_retrying_on_its_page(page, served, "Run page: late step")

    fetched = f"/api/runs/{run['id']}"
    try:
        with (
            page.expect_response(lambda answer: answer.url.endswith(fetched) and answer.request.method == "GET"),
            cancelled_with_the_database_held(served, run["id"]) as database,
        ):
            expect(run_status(page, 1, "Cancelled")).to_be_visible()  # the feed said so, and ended
            still = database.execute(
                select(StepRun.status).where(StepRun.run_id == run["id"], StepRun.step_id == "tell")
            ).scalar_one()
            assert still == "running"
    finally:
        # Whatever happened above, the run must not go on retrying its email past the module's server.
        served.api.client.post(f"/runs/{run['id']}/cancel")
    eventually(lambda: served.api.get(f"/runs/{run['id']}"), lambda run: step_of(run, "tell")["status"] == "cancelled")
    # Now the step has ended too: the page should say so without a reload.
    expect(canvas_node(page, "tell").get_by_text("cancelled", exact=True)).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="Send Alert tell").get_by_text("Cancelled", exact=True)).to_be_visible()


def test_a_failed_run_shows_its_error_and_reruns_from_the_failed_step(page: Page, served: Server) -> None:
    workflow_id = published(
        served,
        "Run page: re-run",
        step("pick", "select_conversations", [], limit=3),
        step("analyse", "process_conversations", ["pick"], pipeline="default-qa"),
        step("worst", "sort", ["analyse"], by=[{"field": "score", "direction": "asc"}]),
    )
    with pipelines_archived(served):
        failed = wait_for_run(served, run_now(served, workflow_id)["id"])
        assert (failed["status"], step_of(failed, "analyse")["status"]) == ("failed", "failed"), failed
        open_run(page, workflow_id, failed)
        expect(run_status(page, 1, "Failed")).to_be_visible()
        alert = page.get_by_role("alert").filter(has_text="The run failed")
        expect(alert).to_contain_text(failed["error"])
        error = canvas_node(page, "analyse").get_by_text(step_of(failed, "analyse")["error"], exact=True)
        expect(error).to_be_visible()
        assert is_reddish(error)
        expect(canvas_node(page, "analyse").get_by_text("failed", exact=True)).to_be_visible()
        expect(canvas_node(page, "pick").get_by_text("completed", exact=True)).to_be_visible()
        expect(canvas_node(page, "worst").get_by_text("failed", exact=True)).to_have_count(0)  # never reached
    # The cause is fixed (the pipelines are back): re-run from where it failed.
    page.get_by_role("button", name="Re-run from failed step").click()
    expect(run_status(page, 1, "Completed")).to_be_visible(timeout=RUN_TIMEOUT_MS)
    for step_id in ("pick", "analyse", "worst"):
        expect(canvas_node(page, step_id).get_by_text("completed", exact=True)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="The run failed")).to_have_count(0)
    expect(page.get_by_role("button", name="Re-run from failed step")).to_have_count(0)
    rerun = wait_for_run(served, failed["id"])
    assert (rerun["status"], step_of(rerun, "worst")["status"]) == ("completed", "completed")


def credits(value: float) -> str:
    """frontend/src/runs/format.ts formatCredits: at most two decimals, thousands separators."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def runtime(seconds: float | None) -> str:
    """frontend/src/runs/format.ts formatRuntime."""
    if seconds is None:
        return "—"
    if seconds < 60:
        shown = round(seconds * 10) / 10 if seconds < 10 else round(seconds)
        return f"{shown:g}s"
    whole = round(seconds)
    hours, minutes, rest = whole // 3600, whole % 3600 // 60, whole % 60
    return f"{hours}h {minutes}m {rest}s" if hours else f"{minutes}m {rest}s"


def test_the_runs_tab_charts_two_runs_and_its_figures_match_the_metrics(page: Page, served: Server) -> None:
    workflow_id = published(
        served,
        "Run page: chart",
        step("pick", "select_conversations", [], limit=3),
        step("top", "sort", ["pick"], by=[{"field": "started_at", "direction": "desc"}], limit=2),
    )
    sign_in(page)
    page.goto(f"/workflows/{workflow_id}/runs")
    expect(page.get_by_text("No Runs yet")).to_be_visible()
    chart = page.get_by_label("Credits, conversations and runtime per run")
    expect(chart).to_have_count(0)  # no runs, no bars
    wait_for_run(served, run_now(served, workflow_id)["id"], {"completed"})
    page.reload()
    expect(page.get_by_test_id("run-row-1")).to_be_visible()
    # Bars, not a line: one run reads as plainly as many.
    expect(chart.locator(".recharts-bar-rectangle")).to_have_count(3)  # one bar in each of the three charts

    wait_for_run(served, run_now(served, workflow_id)["id"], {"completed"})
    page.reload()
    expect(page.get_by_test_id("run-row-2").get_by_text("Completed", exact=True)).to_be_visible()
    expect(chart.locator("svg.recharts-surface")).to_have_count(3)  # credits, conversations, runtime
    expect(page.get_by_test_id("runs-chart-runtime").locator(".recharts-bar-rectangle")).to_have_count(2)

    metrics = served.api.get(f"/workflows/{workflow_id}/metrics")
    assert (metrics["total"], metrics["completed"]) == (2, 2)
    figures = {
        "Credits used": credits(metrics["credits_used"]),
        "Average runtime": runtime(metrics["average_runtime_s"]),
        "In progress": str(metrics["in_progress"]),
        "Completed": str(metrics["completed"]),
        "Failed": str(metrics["failed"]),
        "Cancelled": str(metrics["cancelled"]),
    }
    for label, value in figures.items():
        expect(page.get_by_label(label, exact=True)).to_have_text(f"{label}{value}", ignore_case=True)


def test_a_run_cut_short_by_a_limit_says_so_in_the_list_and_on_its_page(page: Page, served: Server) -> None:
    """Issue P8: a run the call limit stopped (13 of 20 left unscored) showed a plain green Completed. Now the Runs
    tab marks it "Call limit" and its page says how many conversations were left unprocessed."""
    created = served.api.post(
        "/workflows",
        {
            "name": "Run page: limited",
            "trigger": {"type": "manual"},
            "settings": {"call_limit": 4},
            "steps": [
                step("pick", "select_conversations", [], limit=10),
                # Reprocess: results other tests stored are analysed again, so all ten need the limit's admission.
                step("analyse", "process_conversations", ["pick"], pipeline="default-qa", reprocess=True),
            ],
        },
    )
    workflow_id = str(created["id"])
    served.api.post(f"/workflows/{workflow_id}/publish")
    run = wait_for_run(served, run_now(served, workflow_id)["id"], {"completed"})
    assert run["limit_stop"]["message"] == "Stopped by the call limit: 7 conversations left unprocessed."

    sign_in(page)
    page.goto(f"/workflows/{workflow_id}/runs")
    row = page.get_by_test_id("run-row-1")
    expect(row.get_by_text("Completed", exact=True)).to_be_visible()
    expect(row.get_by_label(run["limit_stop"]["message"])).to_have_text("Call limit")
    page.goto(f"/workflows/{workflow_id}/runs/{run['id']}")
    expect(page.get_by_test_id("limit-stop")).to_contain_text(run["limit_stop"]["message"])


def test_a_sync_failed_run_shows_which_sync_failed_and_why(page: Page, served: Server, tmp_path: Path) -> None:
    """Issue P8: a Sync Failed workflow's run showed COMPLETED with no reason. Its page now says which integration's
    sync failed and why, the import's file and line included."""
    integration = served.api.post("/integrations", {"name": "run-page-drop", "kind": "push"})
    created = served.api.post(
        "/workflows",
        {
            "name": "Run page: sync failures",
            "trigger": {"type": "sync_failed", "integration": "run-page-drop"},
            "steps": [step("pick", "select_conversations", [], limit=1)],
        },
    )
    served.api.post(f"/workflows/{created['id']}/publish")
    store = served_store(served)
    try:
        bad = tmp_path / "batch2.jsonl"
        bad.write_text('{"id": "ok-1"}\n{ not json\n', encoding="utf-8")
        with pytest.raises(ImportRefused):
            import_path(store, bad, integration="run-page-drop")
    finally:
        store.close()
    run = eventually(lambda: served.api.get(f"/workflows/{created['id']}/runs")["data"], lambda runs: len(runs) == 1)[0]
    assert integration["name"] == "run-page-drop"
    sign_in(page)
    page.goto(f"/workflows/{created['id']}/runs/{run['id']}")
    failure = page.get_by_test_id("sync-failure")
    expect(failure).to_contain_text("The sync of run-page-drop failed")
    expect(failure).to_contain_text(f"{bad}:2: ")
