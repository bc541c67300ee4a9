"""A run's emails with SMTP down, then up: the delivery step waits (running) while its message is retried,
the message arrives exactly once when the server comes up, and the step then completes. And `redflare run`
sends a run's emails before it exits."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from redflare.adapters.db.orm import OutboxMessage, StepRun
from redflare.adapters.db.store import Store
from redflare.cli import app
from redflare.config import Settings
from redflare.domain.ports import SystemClock
from redflare.engine.executors import InlineAnalysisExecutor
from redflare.services.bootstrap import ensure_builtins
from redflare.services.execution import Runner
from tests.factories import add_conversations, step, workflow
from tests.smtp_servers import accepting_server, down_then_up

ALERT = step(
    "tell",
    "send_alert",
    ["pick"],
    subject="{{ input.count }} chats",
    message="See {{ run.url }}",
    recipients=["qa@example.com"],
)


def alert_flow(name: str) -> dict[str, Any]:
    return workflow(step("pick", "select_conversations", source={"integration": "demo"}), ALERT, name=name)


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_with_smtp_down_then_up_the_alert_arrives_exactly_once(store: Store, tmp_path: Path) -> None:
    add_conversations(store, 4)
    clock = SystemClock()  # retries are due by the real clock
    ensure_builtins(store, clock)
    with down_then_up() as smtp:
        settings = Settings(data_dir=tmp_path, **smtp.settings(smtp_backoff_s=0.05, smtp_max_attempts=50))
        runner = Runner(store, clock, InlineAnalysisExecutor(), settings=settings)
        result: dict[str, Any] = {}
        running = threading.Thread(target=lambda: result.update(runner.run_document(alert_flow("Down then up"))))
        running.start()

        def tried_and_waiting() -> bool:
            with store.read() as session:
                message = session.scalar(select(OutboxMessage))
                step_status = session.scalar(select(StepRun.status).where(StepRun.step_id == "tell"))
            return message is not None and message.attempts >= 2 and step_status == "running"

        wait_until(tried_and_waiting)  # refused twice, the step still running, waiting for its message
        server = smtp.start()
        running.join(timeout=30)
        assert not running.is_alive()
        [mail] = server.wait_for(1)
        assert mail.message["Subject"] == "4 chats"
        time.sleep(0.3)
        assert len(server.wait_for(1)) == 1  # exactly once
    steps = {s["id"]: s for s in result["steps"]}
    assert result["status"] == "completed"
    [message] = steps["tell"]["messages"]
    assert message["status"] == "sent"
    attempts = [a["ok"] for a in message["attempts"]]
    assert attempts[-1] is True
    assert attempts.count(True) == 1
    assert len(attempts) >= 3
    assert all("Connection refused" in (a["error"] or "") for a in message["attempts"][:-1])


def test_redflare_run_sends_the_runs_emails_before_it_exits(cli_env: Path, tmp_path: Path, monkeypatch: Any) -> None:
    settings = Settings()
    store = Store.open(settings)
    try:
        add_conversations(store, 3)
    finally:
        store.close()
    flow = tmp_path / "alert.yaml"
    flow.write_text(yaml.safe_dump(alert_flow("From the CLI")), encoding="utf-8")
    with accepting_server() as server:
        for key, value in server.settings().items():
            monkeypatch.setenv(f"REDFLARE_{key.upper()}", str(value))
        result = CliRunner().invoke(app, ["run", str(flow), "--json"])
        assert result.exit_code == 0, result.output
        # No waiting: the message is there as the command returns.
        assert [m.message["Subject"] for m in server.received] == ["3 chats"]


def test_without_smtp_redflare_run_shows_the_held_email_and_the_export(cli_env: Path, tmp_path: Path) -> None:
    store = Store.open(Settings())
    try:
        add_conversations(store, 3)
    finally:
        store.close()
    document = alert_flow("Held")
    document["steps"].append(
        step(
            "report",
            "schedule_export",
            ["pick"],
            name="Picks",
            columns=["id"],
            file_type="csv",
            recipients=["a@example.com"],
        )
    )
    flow = tmp_path / "held.yaml"
    flow.write_text(yaml.safe_dump(document), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(flow)])
    assert result.exit_code == 0, result.output
    assert "email '3 chats' to qa@example.com: held (not sent: no SMTP server configured)" in result.output
    assert "export 'Picks': csv, 3 rows, " in result.output
