"""Rails of the browser suite: `redflare serve` on a free loopback port with a throwaway data folder, Debian's
Chromium through Playwright (one browser per test module, a fresh context per test), signing in as the admin,
an API client for what a test sets up around the browser (integrations, a pushed sync), and screenshots.

Outside CI the suite skips where Chromium or the built browser app (frontend/dist) is missing; under CI it
fails instead, since ./scripts/setup provides both."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.cli.test_serve import free_port

T = TypeVar("T")
REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "artifacts" / "screenshots"
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
# What serve serves at / (REDFLARE_UI_DIR passes through to it, e.g. a build of one's own elsewhere).
UI_DIR = Path(os.environ.get("REDFLARE_UI_DIR") or REPOSITORY / "frontend" / "dist")
ADMIN = "admin@example.com"
PASSWORD = "a long admin password"
# Big enough for a seven-step canvas beside the side panel.
VIEWPORT = {"width": 1600, "height": 1000}


def ready() -> None:
    """Skip where the browser app or Chromium is missing — but never under CI, whose set-up provides both."""
    missing = [
        what
        for what, there in (
            (f"the built browser app ({UI_DIR})", (UI_DIR / "index.html").is_file()),
            ("Chromium", Path(CHROMIUM).is_file()),
        )
        if not there
    ]
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI must have {' and '.join(missing)}: ./scripts/setup provides them")
    if missing:
        pytest.skip(f"no {' and no '.join(missing)}: run ./scripts/setup")


class Api:
    """The same HTTP API the browser uses, signed in as the admin: for what a test arranges or checks around
    the browser (a push integration, a sync, a run's record), never for what the user does on screen."""

    def __init__(self, base: str) -> None:
        self.client = httpx.Client(base_url=f"{base}/api", timeout=30)
        answer = self.client.post("/auth/login", json={"email": ADMIN, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        self.client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]

    def get(self, path: str, **params: Any) -> Any:
        answer = self.client.get(path, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, body: Any = None) -> Any:
        answer = self.client.post(path, json=body)
        assert answer.status_code in (200, 201, 202), answer.text
        return answer.json() if answer.content else None

    def delete(self, path: str) -> None:
        answer = self.client.delete(path)
        assert answer.status_code in (200, 204), answer.text

    def workflow_named(self, name: str) -> dict[str, Any]:
        [found] = [w for w in self.get("/workflows", search=name, limit=100)["data"] if w["name"] == name]
        return dict(found)

    def push_sync(self, integration: Mapping[str, Any], conversations: list[dict[str, Any]]) -> dict[str, Any]:
        """A source pushes a batch with its own token (no user session), as appendix D's format."""
        with httpx.Client(base_url=str(self.client.base_url), timeout=30) as source:
            answer = source.post(
                f"/integrations/{integration['id']}/sync",
                json={"conversations": conversations},
                headers={"Authorization": f"Bearer {integration['token']}"},
            )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def close(self) -> None:
        self.client.close()


@dataclass
class Server:
    base: str
    data_dir: Path
    api: Api


@contextmanager
def serve(data_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`redflare serve` as a new user starts it (first start loads the demo and creates the admin)."""
    ready()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "REDFLARE_DATA_DIR": str(data_dir),
        "REDFLARE_WORKERS": "1",
        "REDFLARE_ADMIN_EMAIL": ADMIN,
        "REDFLARE_ADMIN_PASSWORD": PASSWORD,
        "REDFLARE_BASE_URL": base,
        **(env or {}),
    }
    environment.pop("REDFLARE_DATABASE_URL", None)
    cli = Path(sys.executable).with_name("redflare")
    log = (data_dir.parent / "serve.log").open("wb")
    server = subprocess.Popen([str(cli), "serve", "--port", str(port)], env=environment, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, f"redflare serve exited: see {data_dir.parent / 'serve.log'}"
            assert time.monotonic() < deadline, "redflare serve did not answer"
            time.sleep(0.2)
        api = Api(base)
        try:
            yield Server(base, data_dir, api)
        finally:
            api.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per test module, with the demo's conversations and example workflows."""
    with serve(tmp_path_factory.mktemp("browser") / "data") as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Per module, not per session: a live Playwright between modules would share the test process with other
    modules' asyncio tests."""
    ready()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def new_page(browser: Browser, base: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base, viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(15_000)  # actions; a stuck click says what it waited for sooner than 30 s
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser: Browser, served: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    with new_page(browser, served.base) as opened:
        yield opened
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            screenshot(opened, f"failed-{request.node.name}")


def sign_in(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Workflows", exact=True)).to_be_visible()


def eventually(read: Callable[[], T], until: Callable[[T], bool], *, timeout: float = 15) -> T:
    """What `read` answers once `until` holds (the server side of something the browser did, e.g. a debounced
    save): asks again every 0.1 s, fails with the last answer after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value):
            return value
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        time.sleep(0.1)


def canvas_settled(page: Page) -> None:
    """Waits until the canvas stops moving (fit, pan to a selected node, zoom: animated), so a click lands on
    what it aimed at: first two animation frames (the editor starts its pan to a newly selected node in one),
    then the viewport's transform the same over four looks 60 ms apart (a pan lasts 200 ms)."""
    page.wait_for_selector(".react-flow__viewport")
    page.evaluate(
        """() => new Promise((resolve) => {
            const viewport = document.querySelector(".react-flow__viewport");
            let last = null, same = 0;
            const look = () => {
                const now = getComputedStyle(viewport).transform;
                same = now === last ? same + 1 : 0;
                last = now;
                if (same >= 3) resolve(); else setTimeout(look, 60);
            };
            requestAnimationFrame(() => requestAnimationFrame(look));
        })"""
    )


def screenshot(page: Page, name: str) -> None:
    """artifacts/screenshots/<name>.png (git-ignored; CI keeps them as the run's pictures)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
