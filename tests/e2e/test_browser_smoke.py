"""The browser app in a real browser (Debian's Chromium through Playwright), against `redflare serve` as a new
user starts it: a wrong password keeps you out; sign in, find a workflow in the list, open it on the canvas."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import ADMIN, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(POSTGRES_URL), reason="the browser walks the embedded default; the API tests cover PG"),
]


def test_a_wrong_password_is_said_and_keeps_you_out(page: Page) -> None:
    page.goto("/")
    page.get_by_label("Email").fill(ADMIN)
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
