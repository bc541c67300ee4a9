"""Delivery end to end: the real app with a real SMTP server on 127.0.0.1 — a run's alert and report arrive
with the right subject, body and recipients, the report's link downloads the run's file (and only for a
signed-in user with an untampered link), and a refused send fails the step with the server's answer."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from redflare.web.app import create_app
from tests.factories import T0, add_conversations, step, workflow
from tests.smtp_servers import SmtpServer, accepting_server, refusing_server
from tests.web.conftest import add_user, sign_in

ADMIN = "admin@example.com"
LINK = re.compile(r"https?://[^\s\"<>]+/api/exports/[0-9a-f]+/download\?sig=[\w.\-]+")


def delivery_flow(name: str = "Delivery flow") -> dict[str, Any]:
    return workflow(
        step("pick", "select_conversations", source={"integration": "demo"}),
        step("top", "sort", ["pick"], by=[{"field": "started_at", "direction": "desc"}], limit=5),
        step(
            "tell",
            "send_alert",
            ["top"],
            subject="{{ input.count }} chats from {{ workflow.name }}",
            message="Run {{ run.number }}: {{ run.url }}\n{% for row in input.rows %}{{ row.id }} {{ row.agent }}\n"
            "{% endfor %}",
            recipients=["qa@example.com", "lead@example.com", "QA@example.com"],
        ),
        step(
            "report",
            "schedule_export",
            ["top"],
            name="Latest chats",
            columns=["id", "agent", "team", "started_at", "duration_s"],
            file_type="xlsx",
            recipients=["a@example.com"],
        ),
        name=name,
    )


@contextmanager
def app_with(settings: Settings) -> Iterator[tuple[TestClient, str]]:
    """The app on these settings, with demo chats stored and the admin signed in (client, CSRF token)."""
    add_user(settings, ADMIN, Role.ADMIN)
    store = Store.open(settings)
    try:
        add_conversations(store, 12)
    finally:
        store.close()
    with TestClient(create_app(settings, clock=FixedClock(T0 + timedelta(days=30)))) as client:
        yield client, sign_in(client, ADMIN)


def run_to_end(client: TestClient, csrf: str, document: dict[str, Any]) -> dict[str, Any]:
    created = client.post("/api/workflows", json=document, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201, created.text
    started = client.post(f"/api/workflows/{created.json()['id']}/runs", json={}, headers={"X-CSRF-Token": csrf})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled"):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not end: {run}")


def steps_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in run["steps"]}


def body(message: Any, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    text: str = part.get_content()
    return text


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with accepting_server() as server:
        yield server


def test_alert_and_report_arrive_and_the_link_downloads_the_runs_file(cli_env: Path, smtp: SmtpServer) -> None:
    settings = Settings(**smtp.settings())
    with app_with(settings) as (client, csrf):
        run = run_to_end(client, csrf, delivery_flow())
        assert run["status"] == "completed", run
        steps = steps_of(run)
        top_ids = [row["id"] for row in steps["top"]["preview"]["out"]]
        assert len(top_ids) == 5

        mails = {m.message["Subject"]: m for m in smtp.wait_for(2)}
        alert = mails["5 chats from Delivery flow"]
        assert sorted(alert.rcpt_tos) == ["lead@example.com", "qa@example.com"]  # the duplicate went
        text = body(alert.message, "plain")
        assert f"Run {run['number']}: " in text
        assert f"/runs/{run['id']}" in text
        assert [line.split()[0] for line in text.strip().splitlines()[1:]] == top_ids
        assert all(conversation_id in body(alert.message, "html") for conversation_id in top_ids)

        report = mails["Your Report is Ready"]
        assert report.rcpt_tos == ["a@example.com"]
        [link] = set(LINK.findall(body(report.message, "plain")))
        path = link[link.index("/api/") :]
        download = client.get(path)
        assert download.status_code == 200, download.text
        sheet = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("id", "agent", "team", "started_at (UTC)", "duration_s")
        assert [row[0] for row in rows[1:]] == top_ids

        [export] = steps["report"]["exports"]
        assert (export["rows"], export["bytes"], export["file_type"]) == (5, len(download.content), "xlsx")
        for step_id in ("tell", "report"):
            [message] = steps[step_id]["messages"]
            assert message["status"] == "sent"
            assert [a["ok"] for a in message["attempts"]] == [True]
        outbox = client.get(f"/api/outbox?run_id={run['id']}").json()
        assert outbox["count"] == 2
        assert {m["status"] for m in outbox["data"]} == {"sent"}

        # Change a character inside the MAC (the last base64 character can carry only padding bits).
        cut = path.index(".", path.index("sig=")) + 3
        tampered = path[:cut] + ("A" if path[cut] != "A" else "B") + path[cut + 1 :]
        assert client.get(tampered).status_code == 403
        client.cookies.clear()
        assert client.get(path).status_code == 401
    assert len(smtp.wait_for(2)) == 2  # nothing more arrived


def test_a_refused_alert_fails_its_step_with_the_servers_answer(cli_env: Path) -> None:
    with refusing_server() as server:
        settings = Settings(**server.settings(smtp_backoff_s=0.01))
        with app_with(settings) as (client, csrf):
            document = delivery_flow("Refused flow")
            document["steps"] = [s for s in document["steps"] if s["id"] != "report"]
            run = run_to_end(client, csrf, document)
            assert run["status"] == "failed"
            tell = steps_of(run)["tell"]
            assert tell["status"] == "failed"
            assert "550 5.1.1" in tell["error"]
            assert "Recipient address rejected" in tell["error"]
            [message] = tell["messages"]
            assert message["status"] == "failed"
            assert len(message["attempts"]) == 1


def test_the_outbox_shows_only_the_workflows_a_user_may_see(cli_env: Path) -> None:
    settings = Settings()
    add_user(settings, "narrow@example.com", Role.VIEWER, teams=["nobody"])
    with app_with(settings) as (client, csrf):
        run = run_to_end(client, csrf, delivery_flow())
        listed = client.get(f"/api/outbox?run_id={run['id']}").json()
        assert listed["count"] == 2  # the admin sees both
        assert {(m["workflow_name"], m["run_number"]) for m in listed["data"]} == {("Delivery flow", run["number"])}
        client.cookies.clear()
        sign_in(client, "narrow@example.com")
        assert client.get(f"/api/outbox?run_id={run['id']}").json() == {"data": [], "count": 0}
        assert client.get(f"/api/outbox?workflow_id={run['workflow_id']}").status_code == 404
