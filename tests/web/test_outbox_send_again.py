"""Sending a held or failed message again: a run made while no SMTP server was configured holds its emails; once
RedFlare runs with SMTP, an editor sends them from the outbox (POST /api/outbox/{id}/send) and they arrive at a
real SMTP server. Viewers, unknown messages, sent ones and a server still without SMTP are refused, and nothing
changes for them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.delivery import NOT_SENT_NO_SMTP, NOT_SENT_TEST_RUN, TEST_RUN_SENDS_NOTHING
from redflare.domain.ports import FixedClock
from redflare.services.deliveries import NO_SMTP_TO_SEND, SEND_AGAIN_ACTION, SEND_HELD_ACTION
from redflare.web.app import create_app
from tests.factories import T0
from tests.smtp_servers import SmtpServer, accepting_server, refusing_server
from tests.web.conftest import add_user, sign_in
from tests.web.test_delivery_e2e import ADMIN, app_with, delivery_flow, run_to_end

VIEWER = "viewer@example.com"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with accepting_server() as server:
        yield server


def outbox(client: TestClient, run_id: str) -> list[dict[str, Any]]:
    answer = client.get("/api/outbox", params={"run_id": run_id})
    assert answer.status_code == 200, answer.text
    messages: list[dict[str, Any]] = answer.json()["data"]
    return messages


def send(client: TestClient, csrf: str, message_id: str) -> Any:
    return client.post(f"/api/outbox/{message_id}/send", headers={"X-CSRF-Token": csrf})


def held_run(settings: Settings) -> tuple[str, str, list[dict[str, Any]]]:
    """A run of the delivery flow on a server without SMTP: its workflow, its id and its two held messages."""
    with app_with(settings) as (client, csrf):
        run = run_to_end(client, csrf, delivery_flow())
        assert run["status"] == "completed", run
        held = outbox(client, run["id"])
        assert [(m["status"], m["reason"]) for m in held] == [("held", NOT_SENT_NO_SMTP)] * 2
        refused = send(client, csrf, held[0]["id"])
        assert refused.status_code == 409, refused.text
        assert refused.json()["detail"] == NO_SMTP_TO_SEND
        assert outbox(client, run["id"]) == held  # refused: nothing changed
        return run["workflow_id"], run["id"], held


def test_held_messages_are_sent_once_smtp_is_configured(cli_env: object, smtp: SmtpServer) -> None:
    workflow_id, run_id, held = held_run(Settings())
    settings = Settings(**smtp.settings())
    with TestClient(create_app(settings, clock=FixedClock(T0 + timedelta(days=31)))) as client:
        csrf = sign_in(client, ADMIN)
        answers = [send(client, csrf, message["id"]) for message in held]
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        assert {a.json()["status"] for a in answers} <= {"pending", "sending", "sent"}

        mails = {mail.message["Subject"]: mail for mail in smtp.wait_for(2)}
        assert sorted(mails) == sorted(message["subject"] for message in held)
        for message in held:
            assert sorted(mails[message["subject"]].rcpt_tos) == sorted({to.lower() for to in message["to"]})
        deadline = time.monotonic() + 10
        while {m["status"] for m in outbox(client, run_id)} != {"sent"}:
            assert time.monotonic() < deadline, outbox(client, run_id)
            time.sleep(0.05)
        for message in outbox(client, run_id):
            assert message["reason"] is None
            assert [attempt["ok"] for attempt in message["attempts"]] == [True]

        again = send(client, csrf, held[0]["id"])
        assert again.status_code == 409
        assert "a sent message is not sent again" in again.json()["detail"]
        assert send(client, csrf, "no-such-message").status_code == 404
        entries = client.get(f"/api/workflows/{workflow_id}/audit").json()["data"]
        sent_again = [entry for entry in entries if entry["action"] == SEND_AGAIN_ACTION]
        assert sorted(entry["detail"]["message_id"] for entry in sent_again) == sorted(m["id"] for m in held)
        assert {entry["user_email"] for entry in sent_again} == {ADMIN}
    assert len(smtp.received) == 2  # each sent once


def test_a_viewer_cannot_send_from_the_outbox(cli_env: object, smtp: SmtpServer) -> None:
    _, run_id, held = held_run(Settings())
    settings = Settings(**smtp.settings())
    add_user(settings, VIEWER, Role.VIEWER)
    with TestClient(create_app(settings, clock=FixedClock(T0 + timedelta(days=31)))) as client:
        csrf = sign_in(client, VIEWER)
        refused = send(client, csrf, held[0]["id"])
        assert refused.status_code == 403
        assert outbox(client, run_id) == held
    assert smtp.received == []


def test_a_failed_message_gets_a_fresh_round_and_keeps_its_history(cli_env: object, smtp: SmtpServer) -> None:
    """Refused by one server (the step failed), sent again through another: the refusal stays on record."""
    document = delivery_flow("Refused, then mended")
    document["steps"] = [s for s in document["steps"] if s["id"] != "report"]
    with refusing_server() as refusing, app_with(Settings(**refusing.settings(smtp_backoff_s=0.01))) as (client, csrf):
        run = run_to_end(client, csrf, document)
        [failed] = outbox(client, run["id"])
        assert (run["status"], failed["status"]) == ("failed", "failed")
    with TestClient(create_app(Settings(**smtp.settings()), clock=FixedClock(T0 + timedelta(days=31)))) as client:
        csrf = sign_in(client, ADMIN)
        assert send(client, csrf, failed["id"]).status_code == 200
        [mail] = smtp.wait_for(1)
        assert mail.message["Subject"] == failed["subject"]
        deadline = time.monotonic() + 10
        while (message := outbox(client, run["id"])[0])["status"] != "sent":
            assert time.monotonic() < deadline, message
            time.sleep(0.05)
        assert [attempt["ok"] for attempt in message["attempts"]] == [False, True]
        assert client.get(f"/api/runs/{run['id']}").json()["status"] == "failed"  # the run's record stands


def test_send_held_sends_what_waited_for_smtp_and_leaves_test_runs_held(cli_env: object, smtp: SmtpServer) -> None:
    """POST /outbox/send-held: the emails held for want of SMTP go, once; a test run's held alert stays held."""
    settings = Settings()
    with app_with(settings) as (client, csrf):
        run = run_to_end(client, csrf, delivery_flow())
        created = client.post("/api/workflows", json=delivery_flow("Tested only"), headers={"X-CSRF-Token": csrf})
        tested = client.post(
            f"/api/workflows/{created.json()['id']}/runs", json={"test": True}, headers={"X-CSRF-Token": csrf}
        ).json()
        refused = client.post("/api/outbox/send-held", headers={"X-CSRF-Token": csrf})
        assert refused.status_code == 409
        assert refused.json()["detail"] == NO_SMTP_TO_SEND
    with TestClient(create_app(Settings(**smtp.settings()), clock=FixedClock(T0 + timedelta(days=31)))) as client:
        csrf = sign_in(client, ADMIN)
        deadline = time.monotonic() + 10
        while client.get(f"/api/runs/{tested['id']}").json()["status"] not in ("completed", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        answer = client.post("/api/outbox/send-held", headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"queued": 2}
        mails = smtp.wait_for(2)
        assert sorted(mail.message["Subject"] for mail in mails) == sorted(
            m["subject"] for m in outbox(client, run["id"])
        )
        assert client.post("/api/outbox/send-held", headers={"X-CSRF-Token": csrf}).json() == {"queued": 0}
        would_be = outbox(client, tested["id"])
        assert {(m["reason"], m["sendable"]) for m in would_be} == {(NOT_SENT_TEST_RUN, False)}
        # Issue P8: "Send now" delivered a test run's alert to the real recipients. A test run sends no email.
        refused_one = client.post(f"/api/outbox/{would_be[0]['id']}/send", headers={"X-CSRF-Token": csrf})
        assert refused_one.status_code == 409
        assert refused_one.json()["detail"] == TEST_RUN_SENDS_NOTHING
        assert {m["status"] for m in outbox(client, tested["id"])} == {"held"}
        assert not any(m["sendable"] for m in outbox(client, run["id"]))  # queued: nothing left to send
        entries = client.get(f"/api/workflows/{run['workflow_id']}/audit").json()["data"]
        assert [e["detail"] for e in entries if e["action"] == SEND_HELD_ACTION] == [{"messages": 2}]
    assert len(smtp.received) == 2


def test_a_viewer_cannot_send_the_held_ones(cli_env: object, smtp: SmtpServer) -> None:
    _, run_id, held = held_run(Settings())
    settings = Settings(**smtp.settings())
    add_user(settings, VIEWER, Role.VIEWER)
    with TestClient(create_app(settings, clock=FixedClock(T0 + timedelta(days=31)))) as client:
        csrf = sign_in(client, VIEWER)
        assert client.post("/api/outbox/send-held", headers={"X-CSRF-Token": csrf}).status_code == 403
        assert outbox(client, run_id) == held
    assert smtp.received == []
