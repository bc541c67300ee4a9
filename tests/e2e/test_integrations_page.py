"""The Integrations page (issue P8): a QA lead adds a push integration and sees its token once, a source pushes, the
sync shows with what it brought; a folder integration syncs on "Sync now", and a bad file's sync says which file
and line failed."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, sign_in
from tests.integrations.conftest import chat


def open_integrations(page: Page) -> None:
    sign_in(page)
    page.get_by_role("link", name="Integrations", exact=True).click()
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()


def test_a_push_integration_is_added_its_token_shown_once_and_its_sync_listed(page: Page, served: Server) -> None:
    open_integrations(page)
    page.get_by_role("textbox", name="Name").fill("crm-from-page")
    page.get_by_role("button", name="Add integration").click()
    dialog = page.get_by_role("dialog", name="Push token")
    token = dialog.get_by_test_id("push-token").inner_text().strip()
    assert len(token) > 20
    dialog.get_by_role("button", name="I have copied it").click()
    expect(page.get_by_role("dialog", name="Push token")).to_have_count(0)

    [created] = [i for i in served.api.get("/integrations")["data"] if i["name"] == "crm-from-page"]
    assert "token" not in created  # never shown again
    served.api.push_sync({**created, "token": token}, [chat("page-1"), chat("page-2")])
    history = page.get_by_test_id("syncs-crm-from-page")
    history.get_by_role("button", name="Refresh").click()
    row = history.get_by_role("table", name="Syncs of crm-from-page").get_by_role("row").nth(1)
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text("2 received · 2 new")


def test_a_folder_integration_syncs_now_and_a_bad_file_says_where(page: Page, served: Server, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "monday.jsonl").write_text(json.dumps(chat("drop-1")) + "\n")
    open_integrations(page)
    page.get_by_text("Folder (files dropped in a folder)").click()
    page.get_by_role("textbox", name="Name").fill("drop-from-page")
    page.get_by_role("textbox", name="Folder").fill(str(folder))
    page.get_by_role("button", name="Add integration").click()
    history = page.get_by_test_id("syncs-drop-from-page")
    table = history.get_by_role("table", name="Syncs of drop-from-page")
    # The scheduler may scan a new folder integration at once; Sync now takes whatever is new then.
    history.get_by_role("button", name="Sync now").click()
    history.get_by_role("button", name="Refresh").click()
    expect(table.get_by_text("1 received · 1 new")).to_be_visible()

    (folder / "broken.jsonl").write_text("{ not json\n")
    history.get_by_role("button", name="Sync now").click()
    history.get_by_role("button", name="Refresh").click()
    failed = table.get_by_role("row").filter(has_text="Failed")
    expect(failed).to_contain_text("broken.jsonl")
