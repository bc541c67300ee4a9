"""The built front end is served at `/`: its files as they are, any app route as index.html, never the API's paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from redflare.config import Settings
from redflare.domain.ports import FixedClock
from redflare.web.app import create_app

INDEX = "<!doctype html><div id=root></div>"


@pytest.fixture
def ui_client(cli_env: Path, tmp_path: Path, clock: FixedClock) -> Iterator[TestClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX, encoding="utf-8")
    (dist / "assets" / "app.js").write_text("console.log('app')", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the browser", encoding="utf-8")
    with TestClient(create_app(Settings(ui_dir=dist), clock=clock)) as client:
        yield client


def test_files_are_served_and_app_routes_open_the_app(ui_client: TestClient) -> None:
    assert ui_client.get("/assets/app.js").text == "console.log('app')"
    for route in ("/", "/workflows", "/workflows/abc/runs/def"):
        page = ui_client.get(route)
        assert page.status_code == 200
        assert page.text == INDEX


def test_the_api_keeps_its_own_answers(ui_client: TestClient) -> None:
    assert ui_client.get("/api/auth/me").status_code == 401
    unknown = ui_client.get("/api/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/")
    assert INDEX not in unknown.text


def test_nothing_outside_the_built_folder_is_served(ui_client: TestClient) -> None:
    assert ui_client.get("/../secret.txt").text == INDEX
    assert ui_client.get("/assets/%2e%2e/%2e%2e/secret.txt").text == INDEX


def test_without_a_built_front_end_nothing_is_mounted(cli_env: Path, tmp_path: Path, clock: FixedClock) -> None:
    with TestClient(create_app(Settings(ui_dir=tmp_path / "not-built"), clock=clock)) as client:
        assert client.get("/workflows").status_code == 404
