"""A runaway alert template through the real engine: its budget fails the step, and Cancel really stops it."""

from __future__ import annotations

import re
import threading
import time
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import Run
from redflare.adapters.db.store import Store
from redflare.services.runs import cancel_run, run_resource
from redflare.steps import send_alert, templating
from tests.factories import SELECT_DEMO, add_conversations, make_runner, step, workflow

# Each range passes the sandbox's per-range cap (100,000); together they would take hours.
RUNAWAY = "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}{% endfor %}"
STOP_WITHIN_S = 2.0  # the bound: a cancelled run with a runaway template stops using CPU within 2 s
WINDOW_S = 1.0
IDLE_CPU_S = 0.25  # CPU one spinning render would use in the window is ~1 s (less on a busy 2-core machine)


def runaway_alert(store: Store) -> dict[str, Any]:
    add_conversations(store, 2)
    alert = step("alert", "send_alert", ["pick"], subject="Runaway", message=RUNAWAY, recipients=["ops@example.com"])
    return workflow(SELECT_DEMO, alert)


def alert_of(resource: dict[str, Any]) -> dict[str, Any]:
    [alert] = [s for s in resource["steps"] if s["id"] == "alert"]
    return dict(alert)


def wait_for(condition: Any, *, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class TestRunawayTemplate:
    def test_left_alone_it_fails_its_step_with_a_readable_error(self, store: Store) -> None:
        """Left alone, the runaway template fails its step saying why, instead of running for hours."""
        runner = make_runner(store)
        resource = runner.run_document(runaway_alert(store))
        assert resource["status"] == "failed"
        assert alert_of(resource)["status"] == "failed"
        # The work budget (or, on a very busy machine, the time budget) stops it, saying so.
        said = r"message: the template (did more than [\d,]+ steps of work|took longer than \S+ s to render); "
        assert re.fullmatch(said + r"simplify its loops \(line 1\)", str(alert_of(resource)["error"]))

    def test_cancel_stops_the_rendering_and_its_cpu(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        """Cancelled while it renders, the step ends cancelled and the process stops using CPU within 2 s."""
        # Lifted budgets: the template would now run for hours, so only the cancel can stop it.
        monkeypatch.setattr(send_alert, "render", partial(templating.render, max_steps=10**15, time_limit_s=3600.0))
        runner = make_runner(store)
        document = runaway_alert(store)
        ended: list[dict[str, Any]] = []
        failed: list[BaseException] = []

        def run() -> None:
            try:
                ended.append(runner.run_document(document))
            except BaseException as exc:  # handed to the test's thread, which raises or asserts on it
                failed.append(exc)

        worker = threading.Thread(target=run, name="runaway-run", daemon=True)  # daemon: a failed test cannot hang
        worker.start()

        def alert_running() -> str | None:
            if failed:
                raise failed[0]
            with store.read() as session:
                run_id = session.scalar(select(Run.id))
                running = run_id is not None and alert_of(run_resource(session, run_id))["status"] == "running"
                return run_id if running else None

        run_id = wait_for(alert_running, timeout=60, what="the alert step to start")
        rendering = time.process_time()
        wait_for(lambda: time.process_time() - rendering > 0.3, timeout=60, what="the render to use CPU")
        with store.transaction() as session:
            cancel_run(session, run_id, now=runner.clock.now())
        cancelled_at = time.monotonic()

        # CPU seconds of the whole process in a window that opens STOP_WITHIN_S after the cancel committed.
        time.sleep(max(0.0, cancelled_at + STOP_WITHIN_S - time.monotonic()))
        before = time.process_time()
        time.sleep(WINDOW_S)
        used = time.process_time() - before
        assert used < IDLE_CPU_S, f"{used:.2f} CPU s used {STOP_WITHIN_S:g}-{STOP_WITHIN_S + WINDOW_S:g} s after Cancel"

        worker.join(timeout=30)
        assert failed == []
        assert not worker.is_alive()
        [resource] = ended
        assert resource["status"] == "cancelled"
        assert alert_of(resource)["status"] == "cancelled"
