"""Faults a real `redflare serve` must ride out without freezing: its event loop never waits on a run.

1. The freeze of issue P7: a run's Send Alert and Schedule Export are waiting on an SMTP server that is down; the
   server is killed (SIGKILL) while their emails are pending, restarted with SMTP back, and the run re-run from
   its failed step. Before, the re-run answered 202 and the whole server stopped answering (its run loop spun on
   the delivery steps an earlier attempt had recorded). Now the run completes, each email arrives once, the
   server answers `GET /api/auth/me` within a second throughout, and SIGTERM ends it within its grace period.
2. An exception injected into the engine's own bookkeeping (recording a step's result) fails that step with the
   reason, the run ends failed, the server keeps answering, and SIGTERM still ends it.

Both on SQLite and on PostgreSQL (the database comes from `cli_env`).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.cli.serving import Responsiveness, ServeProcess, serve_env
from tests.factories import step, workflow
from tests.smtp_servers import down_then_up

GRACE_S = 3.0  # REDFLARE_SHUTDOWN_GRACE_S of these servers
# SIGTERM: uvicorn closes connections (up to its 5 s graceful timeout), then the runs get GRACE_S; slack for a loaded
# machine on top. Without the fix the process never exits at all.
EXIT_BOUND_S = GRACE_S + 5 + 10
RUN_BOUND_S = 120.0

FLOW = workflow(
    step("pick", "select_conversations", source={"integration": "demo"}, limit=3, order="oldest"),
    step(
        "tell",
        "send_alert",
        ["pick"],
        subject="{{ input.count }} chats to review",
        message="Run {{ run.number }}: {% for row in input.rows %}{{ row.id }} {% endfor %}",
        recipients=["qa@example.com", "lead@example.com"],
    ),
    step(
        "report",
        "schedule_export",
        ["pick"],
        name="Chats to review",
        columns=["id", "agent", "started_at"],
        file_type="csv",
        recipients=["boss@example.com"],
    ),
    name="Interrupted delivery",
)


def wait_for_run(api: httpx.Client, run_id: str, done: Any, *, bound: float = RUN_BOUND_S) -> dict[str, Any]:
    deadline = time.monotonic() + bound
    while True:
        run: dict[str, Any] = api.get(f"/runs/{run_id}").json()
        if done(run):
            return run
        assert time.monotonic() < deadline, f"run {run_id} stuck: {run['status']} {run['steps']}"
        time.sleep(0.1)


def steps_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in run["steps"]}


def both_deliveries_waiting(run: dict[str, Any]) -> bool:
    """Both delivery steps running with their emails in the outbox, each tried at least once (SMTP is down)."""
    steps = steps_of(run)
    messages = [m for name in ("tell", "report") for m in steps[name]["messages"]]
    running = all(steps[name]["status"] == "running" for name in ("tell", "report"))
    return running and len(messages) == 2 and all(len(m["attempts"]) >= 1 for m in messages)


def test_rerun_after_a_kill_with_emails_pending_completes_and_the_server_keeps_answering(cli_env: Path) -> None:
    with down_then_up() as smtp:
        smtp_env = {
            "REDFLARE_SMTP_HOST": smtp.host,
            "REDFLARE_SMTP_PORT": str(smtp.port),
            "REDFLARE_SMTP_BACKOFF_S": "0.05",
            "REDFLARE_SMTP_MAX_ATTEMPTS": "50",
            "REDFLARE_SHUTDOWN_GRACE_S": str(GRACE_S),
        }
        with ServeProcess(serve_env(cli_env, **smtp_env)) as server:
            api = server.sign_in()
            created = api.post("/workflows", json=FLOW)
            assert created.status_code == 201, created.text
            started = api.post(f"/workflows/{created.json()['id']}/runs", json={})
            assert started.status_code == 202, started.text
            run_id = started.json()["id"]
            wait_for_run(api, run_id, both_deliveries_waiting)

            server.kill()  # a crash while both steps wait on their emails
            mail = smtp.start()
            server.start()
            api = server.sign_in()
            with Responsiveness(server.sign_in()) as probe:
                interrupted = api.get(f"/runs/{run_id}").json()
                assert interrupted["status"] == "failed"
                rerun = api.post(f"/runs/{run_id}/rerun")
                assert rerun.status_code == 202, rerun.text
                finished = wait_for_run(api, run_id, lambda run: run["status"] in ("completed", "failed", "cancelled"))
                time.sleep(1.0)  # the probe keeps asking a little after the run's end
            assert finished["status"] == "completed", finished
            assert all(s["status"] == "completed" for s in finished["steps"])
            assert probe.asked >= 5
            assert probe.failures == [], probe.failures[:5]
            assert probe.slowest < 1.0

            received = mail.wait_for(2)
            time.sleep(1.0)  # nothing more may arrive
            counted = Counter(tuple(sorted(m.rcpt_tos)) for m in mail.received)
            assert counted == {("lead@example.com", "qa@example.com"): 1, ("boss@example.com",): 1}, counted
            assert len(received) == 2
            exports = steps_of(finished)["report"]["exports"]
            assert len(exports) == 1  # reconciled: the export recorded before the kill, not a second one

            assert server.terminate() < EXIT_BOUND_S


# The bookkeeping of one step breaks: recording the result of "tell" raises, as a bug or the store failing would.
FAULTY_LAUNCHER = """
from redflare.adapters.db.run_store import SqlRunStore
recorded = SqlRunStore.record
def record(self, facts, step_id, outcome, **kwargs):
    if step_id == "tell":
        raise RuntimeError("injected: the bookkeeping broke")
    return recorded(self, facts, step_id, outcome, **kwargs)
SqlRunStore.record = record
import sys
from redflare.cli import main
sys.argv[0] = "redflare"
main()
"""


def test_an_exception_in_the_engines_bookkeeping_fails_the_step_and_the_server_answers(cli_env: Path) -> None:
    env = serve_env(cli_env, REDFLARE_SHUTDOWN_GRACE_S=str(GRACE_S))
    with ServeProcess(env, launcher=FAULTY_LAUNCHER) as server:
        api = server.sign_in()
        created = api.post("/workflows", json=FLOW)
        assert created.status_code == 201, created.text
        with Responsiveness(server.sign_in()) as probe:
            started = api.post(f"/workflows/{created.json()['id']}/runs", json={})
            assert started.status_code == 202, started.text
            run = wait_for_run(api, started.json()["id"], lambda run: run["status"] not in ("queued", "running"))
            time.sleep(1.0)
        assert run["status"] == "failed"
        tell = steps_of(run)["tell"]
        assert tell["status"] == "failed"
        assert tell["error"] == "injected: the bookkeeping broke"
        assert steps_of(run)["report"]["status"] == "completed"  # the other branch is not held up
        assert probe.failures == [], probe.failures[:5]
        assert probe.slowest < 1.0
        assert server.terminate() < EXIT_BOUND_S
