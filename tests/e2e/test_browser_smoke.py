"""The browser app in a real browser (Debian's Chromium through Playwright), against `redflare serve` as a new
user starts it: sign in, find a workflow in the list, open it on the canvas. The rails P5's end-to-end suite
runs on; that suite walks the whole guide."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.cli.test_serve import free_port
from tests.conftest import POSTGRES_URL

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]
REPOSITORY = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# DEPENDENCIES.md: without the networking flags this closed network refuses Chromium's connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a long admin password"


def _ready() -> None:
    """Skip where the browser app or Chromium is missing — but never under CI, whose set-up provides both."""
    missing = [
        what
        for what, there in (
            ("the built browser app (frontend/dist)", (REPOSITORY / "frontend" / "dist" / "index.html").is_file()),
            ("Chromium", Path(CHROMIUM).is_file()),
        )
        if not there
    ]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must have {' and '.join(missing)}: ./scripts/setup provides them")
    if missing:
        pytest.skip(f"no {' and no '.join(missing)}: run ./scripts/setup")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _ready()
    port = free_port()
    env = {
        **os.environ,
        "REDFLARE_DATA_DIR": str(tmp_path_factory.mktemp("browser") / "data"),
        "REDFLARE_WORKERS": "1",
        "REDFLARE_ADMIN_EMAIL": "admin@example.com",
        "REDFLARE_ADMIN_PASSWORD": PASSWORD,
    }
    env.pop("REDFLARE_DATABASE_URL", None)
    cli = Path(sys.executable).with_name("redflare")
    server = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "redflare serve did not answer"
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def page(served: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(base_url=served)
        finally:
            browser.close()


def sign_in(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_wrong_password_is_said_and_keeps_you_out(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("wrong email or password")).to_be_visible()
    expect(page.get_by_placeholder("Search workflows")).to_have_count(0)


def test_sign_in_find_a_workflow_and_open_it_on_the_canvas(page: Page) -> None:
    sign_in(page)
    expect(page.get_by_role("link", name="Nightly QA triage")).to_be_visible()  # the demo's examples
    page.get_by_placeholder("Search workflows").fill("unhappy")
    expect(page.get_by_role("link", name="Unhappy customers review")).to_be_visible()
    expect(page.get_by_role("link", name="Nightly QA triage")).to_have_count(0)
    page.get_by_placeholder("Search workflows").fill("")
    page.get_by_role("link", name="Nightly QA triage").click()
    expect(page).to_have_url(re.compile(r"/workflows/[0-9a-f]+$"))
    expect(page.get_by_text("On a Schedule").first).to_be_visible()
    expect(page.get_by_text("Process Conversations").first).to_be_visible()
    expect(page.get_by_text("Distribute").first).to_be_visible()
    page.reload()  # a deep link opens straight in the browser
    expect(page.get_by_text("Process Conversations").first).to_be_visible()
