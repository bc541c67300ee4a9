"""Downloading a report through the link its "Your Report is Ready" email carries.

The file comes only with the link's own, unexpired, untampered signature (403 otherwise), to a signed-in user
(401 otherwise) who may see the workflow (404 otherwise) — and then byte for byte what was stored.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import fsspec  # type: ignore[import-untyped]
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from redflare.adapters.db.exports import exports_of_run
from redflare.adapters.exportfiles.links import EXPIRED, INVALID
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from redflare.services.exports import MAX_STEM, download_name
from redflare.web.app import create_app
from redflare.web.routes import exports as export_routes
from redflare.web.state import AppServices
from tests.factories import SELECT_DEMO, add_conversations, step, workflow
from tests.web.conftest import add_user, sign_in
from tests.web.test_runs import steps_of, wait_for

DOWNLOAD = "/api/exports/{export_id}/download"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CREATOR = "billing-lead@example.com"  # an editor who sees the Billing team only
LINK = re.compile(r"http://\S+/api/exports/[0-9a-f]{32}/download\?sig=\S+")


def build_app(settings: Settings, clock: FixedClock) -> FastAPI:
    """The real app; with the download route included here until app.py includes it."""
    app = create_app(settings, clock=clock)
    if not any(getattr(route, "path", None) == DOWNLOAD for route in app.routes):
        app.include_router(export_routes.router, prefix="/api")
    return app


@pytest.fixture
def client(settings: Settings, clock: FixedClock) -> Iterator[TestClient]:
    with TestClient(build_app(settings, clock)) as test_client:
        yield test_client


def services(client: TestClient) -> AppServices:
    found: AppServices = client.app.state.services  # type: ignore[attr-defined]
    return found


@dataclass(frozen=True)
class Report:
    run_id: str
    link: str  # path and query of the emailed link, as the test client requests it
    export_id: str
    sig: str
    content: bytes  # what the export storage holds


def emailed_reports(client: TestClient, run: dict[str, Any]) -> list[Report]:
    """Every export of the run, each with the link read from its step's "Your Report is Ready" email."""
    reports = []
    with services(client).store.read() as session:
        keys = {export.id: export.key for export in exports_of_run(session, run["id"])}
    for step_run in run["steps"]:
        for message in step_run.get("messages", []):
            found = LINK.search(message["text"])
            assert found is not None, message["text"]
            url = urlsplit(found.group(0))
            export_id = url.path.split("/")[3]
            with services(client).delivery.storage.open(keys[export_id]) as handle:
                content = handle.read()
            reports.append(
                Report(run["id"], f"{url.path}?{url.query}", export_id, url.query.removeprefix("sig="), content)
            )
    return reports


def run_reports(client: TestClient, settings: Settings, *exports: dict[str, Any]) -> list[Report]:
    """The creator (Billing only) runs select → exports; answers each export's emailed link."""
    add_conversations(services(client).store, 6)
    add_user(settings, CREATOR, Role.EDITOR, teams=["Billing"])
    csrf = {"X-CSRF-Token": sign_in(client, CREATOR)}
    created = client.post("/api/workflows", json=workflow(SELECT_DEMO, *exports, name="Billing QA"), headers=csrf)
    assert created.status_code == 201, created.text
    started = client.post(f"/api/workflows/{created.json()['id']}/runs", json={}, headers=csrf)
    assert started.status_code == 202, started.text
    run = wait_for(client, started.json()["id"])
    assert run["status"] == "completed", run
    assert all(step_run["status"] == "completed" for step_run in steps_of(run).values())
    client.cookies.clear()
    return emailed_reports(client, run)


def export_step(step_id: str = "report", **config: Any) -> dict[str, Any]:
    fields = {"name": "Reviewer A", "columns": ["id", "agent", "team", "started_at"], "file_type": "xlsx"}
    return step(step_id, "schedule_export", ["pick"], **{**fields, "recipients": ["qa@example.com"], **config})


def as_viewer(client: TestClient, settings: Settings, email: str = "viewer@example.com", **rules: list[str]) -> None:
    add_user(settings, email, Role.VIEWER, **rules)
    sign_in(client, email)


def assert_problem(response: Any, status: int, detail: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    if detail is not None:
        assert response.json()["detail"] == detail


class TestDownload:
    @pytest.mark.parametrize(("file_type", "media_type"), [("xlsx", XLSX), ("csv", "text/csv; charset=utf-8")])
    def test_the_emailed_link_downloads_the_stored_file(
        self, client: TestClient, settings: Settings, file_type: str, media_type: str
    ) -> None:
        """A viewer who may see the workflow gets the report byte for byte, as an attachment named after it."""
        (report,) = run_reports(client, settings, export_step(file_type=file_type))
        as_viewer(client, settings)
        response = client.get(report.link)
        assert response.status_code == 200, response.text
        assert response.content == report.content
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"] == (
            f"attachment; filename=\"Reviewer A.{file_type}\"; filename*=UTF-8''Reviewer%20A.{file_type}"
        )
        assert response.headers["cache-control"] == "private, no-store"

    def test_an_api_token_works_like_a_session(self, client: TestClient, settings: Settings) -> None:
        """Scripts download with `Authorization: Bearer …`."""
        (report,) = run_reports(client, settings, export_step())
        as_viewer(client, settings)
        token = client.post(
            "/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": sign_in(client, "viewer@example.com")}
        )
        client.cookies.clear()
        response = client.get(report.link, headers={"Authorization": f"Bearer {token.json()['token']}"})
        assert response.status_code == 200, response.text
        assert response.content == report.content

    def test_an_unusual_name_becomes_a_safe_file_name(self, client: TestClient, settings: Settings) -> None:
        """Quotes, slashes and accents in the export name never break the header or point at a folder."""
        (report,) = run_reports(client, settings, export_step(name='Q1 "best"/worst: Café', file_type="csv"))
        as_viewer(client, settings)
        disposition = client.get(report.link).headers["content-disposition"]
        assert disposition == (
            "attachment; filename=\"Q1 _best__worst_ Caf_.csv\"; filename*=UTF-8''Q1%20_best__worst_%20Caf%C3%A9.csv"
        )

    def test_a_storage_without_local_files_streams_the_download(self, settings: Settings, clock: FixedClock) -> None:
        """With exports at an fsspec URL (a cluster), the file is streamed from the storage, still byte for byte."""
        root = f"/redflare-exports-{uuid.uuid4().hex}"
        remote = settings.model_copy(update={"exports_url": f"memory://{root}"})
        try:
            with TestClient(build_app(remote, clock)) as client:
                assert services(client).delivery.storage.local_path("k.csv") is None
                (report,) = run_reports(client, remote, export_step(file_type="csv"))
                as_viewer(client, remote)
                response = client.get(report.link)
        finally:
            fsspec.filesystem("memory").rm(root, recursive=True)
        assert response.status_code == 200, response.text
        assert response.content == report.content
        assert response.headers["content-type"] == "text/csv; charset=utf-8"


class TestRefused:
    def test_a_tampered_signature_is_403(self, client: TestClient, settings: Settings) -> None:
        """Change one character of the signature and the link is not valid."""
        (report,) = run_reports(client, settings, export_step())
        as_viewer(client, settings)
        # A character inside the MAC: the last base64 character can carry only padding bits, which decode away.
        cut = report.sig.index(".") + 3
        tampered = report.sig[:cut] + ("A" if report.sig[cut] != "A" else "B") + report.sig[cut + 1 :]
        url = DOWNLOAD.format(export_id=report.export_id)
        assert_problem(client.get(url, params={"sig": tampered}), 403, INVALID)
        assert_problem(client.get(url), 403, INVALID)  # a link that lost its signature altogether
        assert client.get(url, params={"sig": report.sig}).status_code == 200

    def test_an_expired_link_is_403(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        """The link works until `export_link_days` have passed, then says it has expired."""
        (report,) = run_reports(client, settings, export_step())
        add_user(settings, "viewer@example.com", Role.VIEWER)
        lifetime = settings.export_link_days * 86_400
        clock.advance(lifetime - 3_600)
        sign_in(client, "viewer@example.com")  # sessions last hours, not days: a fresh one at each point in time
        assert client.get(report.link).status_code == 200
        clock.advance(2 * 3_600)
        client.cookies.clear()
        sign_in(client, "viewer@example.com")
        assert_problem(client.get(report.link), 403, EXPIRED)

    def test_a_signature_opens_only_its_own_export(self, client: TestClient, settings: Settings) -> None:
        """One export's signature on another export's id is refused, though both are real and visible."""
        first, second = run_reports(client, settings, export_step("one"), export_step("two", name="Reviewer B"))
        as_viewer(client, settings)
        assert_problem(client.get(DOWNLOAD.format(export_id=second.export_id), params={"sig": first.sig}), 403, INVALID)
        assert client.get(second.link).content == second.content

    def test_not_signed_in_is_401(self, client: TestClient, settings: Settings) -> None:
        """The link alone is not enough: whoever opens it must sign in."""
        (report,) = run_reports(client, settings, export_step())
        response = client.get(report.link)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"

    def test_a_browser_not_signed_in_is_sent_to_sign_in_and_back(self, client: TestClient, settings: Settings) -> None:
        """The emailed link opened in a browser: the app's sign-in, whose `next` is the link itself."""
        (report,) = run_reports(client, settings, export_step())
        client.cookies.clear()
        response = client.get(report.link, headers={"Accept": "text/html,*/*"}, follow_redirects=False)
        assert response.status_code == 303
        location = urlsplit(response.headers["location"])
        assert location.path == "/"
        (back,) = parse_qs(location.query)["next"]
        assert back == urlsplit(report.link).path + "?" + urlsplit(report.link).query

    def test_someone_who_may_not_see_the_workflow_gets_404(self, client: TestClient, settings: Settings) -> None:
        """A Support-only user cannot see a Billing editor's workflow: its export does not exist for them."""
        (report,) = run_reports(client, settings, export_step())
        as_viewer(client, settings, "support@example.com", teams=["Support"])
        assert_problem(client.get(report.link), 404)
        client.cookies.clear()
        as_viewer(client, settings, "billing@example.com", teams=["Billing"])
        assert client.get(report.link).status_code == 200

    def test_a_file_gone_from_storage_is_404(self, client: TestClient, settings: Settings) -> None:
        """A valid link whose file was removed answers 404, not a broken download."""
        (report,) = run_reports(client, settings, export_step())
        with services(client).store.read() as session:
            (export,) = exports_of_run(session, report.run_id)
            key = export.key
        services(client).delivery.storage.delete(key)
        as_viewer(client, settings)
        assert_problem(client.get(report.link), 404, export_routes.GONE)


_UNSAFE_IN_NAMES = set('<>:"/\\|?*')


class TestDownloadName:
    @given(name=st.text(max_size=300), file_type=st.sampled_from(["csv", "xlsx"]))
    def test_any_export_name_gives_a_plain_file_name(self, name: str, file_type: str) -> None:
        """Whatever the name, the download is `<stem>.<type>`: never empty, hidden, a path, or full of controls."""
        filename = download_name(name, file_type)
        stem, _, extension = filename.rpartition(".")
        assert extension == file_type
        assert stem
        assert len(stem) <= MAX_STEM
        assert stem == stem.strip(" .")
        assert not _UNSAFE_IN_NAMES & set(stem)
        assert all(unicodedata.category(char)[0] != "C" for char in stem)

    def test_a_plain_name_is_kept(self) -> None:
        """An ordinary name comes through as the user wrote it."""
        assert download_name("Reviewer A — low scores", "xlsx") == "Reviewer A — low scores.xlsx"
