"""The guide, walked through the API by a new user: create, trigger, steps, Final checks, publish refused then
allowed, pause, resume, edit → Unpublished Changes → version 2, Set as active with a run in flight, duplicate,
change and clear the trigger, and delete with a run in flight — nothing left behind.

Runs are held in flight by a gate in front of the engine's analysis (no sleeps, no timing luck): a run
reaches Process Conversations, waits there until the test opens the gate, then carries on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Table, func, select

from redflare.adapters.db.orm import AnalysisResult, AuditEntry, Base, Run
from redflare.adapters.db.step_contexts import SqlStepContexts
from redflare.adapters.db.store import Store
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.engine.backends.local import LocalBackend
from redflare.steps.context import AnalysisExecutor, Batch, InFlight
from tests.factories import SELECT_DEMO, add_conversations, step
from tests.web.conftest import add_user, sign_in

PUBLISH_REFUSED = "Please resolve the issues in the workflow before publishing the workflow."
FIX_FIRST = "Make sure all issues are fixed before publishing this workflow."
UNPUBLISHED = "This workflow has changes that are not published yet."
CHANGE_WARNING = "Changing the trigger will clear the current workflow steps, Are you sure you want to change?"
TERMINAL = {"completed", "failed", "cancelled"}
WAIT_SECONDS = 30.0


class Gate:
    """An analysis executor that holds every run at its first batch until the gate opens."""

    def __init__(self, inner: AnalysisExecutor) -> None:
        self.inner = inner
        self.reached = threading.Event()
        self.opened = threading.Event()

    def run(
        self, pipeline: PipelineDefinition, batches: Iterator[Batch], in_flight: InFlight | None = None
    ) -> Iterator[list[AnalysisOutcome]]:
        self.reached.set()
        assert self.opened.wait(WAIT_SECONDS), "the gate was never opened"
        yield from self.inner.run(pipeline, batches, in_flight)


class Guide:
    """The new user at the API: session cookie from signing in, CSRF token on every change."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client = client
        self.headers = {"X-CSRF-Token": csrf}

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(f"/api{path}", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, method: str, path: str, body: Any = None, *, status: int = 200) -> Any:
        response = self.client.request(method, f"/api{path}", json=body, headers=self.headers)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def wait_for(self, run_id: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            run: dict[str, Any] = self.get(f"/runs/{run_id}")
            if done(run):
                return run
            assert time.monotonic() < deadline, f"gave up waiting for run {run_id}: {run['status']}"
            time.sleep(0.02)


@pytest.fixture
def gate(client: TestClient) -> Iterator[Gate]:
    backend: LocalBackend = client.app.state.services.backend  # type: ignore[attr-defined]
    contexts = backend.engine.contexts
    assert isinstance(contexts, SqlStepContexts)
    gate = Gate(contexts.executor)
    contexts.executor = gate
    yield gate
    gate.opened.set()  # never leave a run hanging when a test fails half-way


@pytest.fixture
def user(client: TestClient, settings: Settings) -> Guide:
    add_conversations(store_of(client), 6)
    add_user(settings, "new@example.com", Role.EDITOR)
    return Guide(client, sign_in(client, "new@example.com"))


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def rows_of(store: Store, workflow_id: str, run_ids: set[str]) -> dict[str, int]:
    """How many rows of every table still name this workflow or one of its runs."""
    counts = {}
    with store.transaction() as session:
        for table in Base.metadata.sorted_tables:
            assert isinstance(table, Table)
            where = [table.c[c] == workflow_id for c in ("workflow_id",) if c in table.c]
            where += [table.c[c].in_(run_ids) for c in ("run_id",) if c in table.c]
            if table.name == "workflows":
                where.append(table.c.id == workflow_id)
            if table.name == "runs":
                where.append(table.c.id.in_(run_ids))
            if table.name == "audit_log":
                continue  # the log keeps the record of what was done, by design
            for condition in where:
                counts[f"{table.name}:{condition.left.name}"] = int(
                    session.scalar(select(func.count()).select_from(table).where(condition)) or 0
                )
    return counts


PICK = SELECT_DEMO
UNCONFIGURED = step("analyse", "process_conversations", ["pick"])  # no pipeline chosen yet
ANALYSE = step("analyse", "process_conversations", ["pick"], pipeline="default-qa")
WORST = step("worst", "sort", ["analyse"], by=[{"field": "score", "direction": "asc"}], limit=3)
LOW = step("low", "filter", ["analyse"], condition={"rules": [{"field": "score", "operator": "<", "value": 70}]})
NIGHTLY = {"type": "schedule", "daily": "02:00", "timezone": "Europe/London"}


def test_the_guide_through_the_api(
    client: TestClient, user: Guide, gate: Gate, caplog: pytest.LogCaptureFixture
) -> None:
    """A new user builds, checks, publishes, runs, rolls back, copies and deletes a workflow as the guide tells."""
    # Create a workflow: the list starts empty; a new workflow is a Draft asking for a trigger.
    assert user.get("/workflows") == {"data": [], "count": 0}
    created = user.send("POST", "/workflows", {"name": "Nightly QA triage"}, status=201)
    workflow_id = created["id"]
    assert created["status"] == "Draft"
    assert "Select a trigger to start a workflow" in [i["message"] for i in created["issues"]]

    # Pick a trigger (no steps yet, so nothing to confirm), then build out the steps.
    user.send("POST", f"/workflows/{workflow_id}/draft/trigger", {"trigger": NIGHTLY})
    draft = user.get(f"/workflows/{workflow_id}/draft")
    assert draft["trigger"] == NIGHTLY
    saved = user.send("PUT", f"/workflows/{workflow_id}/draft", {**draft, "steps": [PICK, UNCONFIGURED, WORST]})

    # Final checks flag the step whose pipeline is not chosen; deleting it would affect the sort below it.
    checks = user.get(f"/workflows/{workflow_id}/issues")
    assert checks["message"] == FIX_FIRST
    assert list(checks["nodes"]) == ["analyse"] == [i["node"] for i in saved["issues"]]
    assert user.get(f"/workflows/{workflow_id}/draft/impact", step="analyse") == {"affected": 1, "steps": ["worst"]}

    # Publishing is refused while issues remain, then allowed once the step is configured.
    refused = client.post(f"/api/workflows/{workflow_id}/publish", headers=user.headers)
    assert (refused.status_code, refused.json()["detail"]) == (422, PUBLISH_REFUSED)
    assert [e["node"] for e in refused.json()["errors"]] == ["analyse"]
    fixed = user.send("PUT", f"/workflows/{workflow_id}/draft", {**draft, "steps": [PICK, ANALYSE, WORST]})
    assert fixed["issues"] == []
    live = user.send("POST", f"/workflows/{workflow_id}/publish")
    assert (live["status"], live["active_version"]) == ("Live", 1)

    # Pause (ongoing runs unaffected) and resume.
    assert user.send("POST", f"/workflows/{workflow_id}/pause")["status"] == "Paused"
    assert user.send("POST", f"/workflows/{workflow_id}/resume")["status"] == "Live"

    # Edit workflow: a draft from the live version; a change shows Unpublished Changes until version 2.
    user.send("POST", f"/workflows/{workflow_id}/edit")
    editing = user.get(f"/workflows/{workflow_id}/draft")
    user.send("PUT", f"/workflows/{workflow_id}/draft", {**editing, "steps": [*editing["steps"], LOW]})
    shown = user.get(f"/workflows/{workflow_id}")
    assert (shown["status"], shown["notice"]) == ("Unpublished Changes", UNPUBLISHED)
    assert user.send("POST", f"/workflows/{workflow_id}/publish")["active_version"] == 2
    versions = user.get(f"/workflows/{workflow_id}/versions")["data"]
    assert [(v["number"], v["active"], v["created_by_email"]) for v in versions] == [
        (2, True, "new@example.com"),
        (1, False, "new@example.com"),
    ]

    # Set version 1 active while a run of version 2 is in flight: that run finishes on version 2.
    in_flight = user.send("POST", f"/workflows/{workflow_id}/runs", status=202)
    assert gate.reached.wait(WAIT_SECONDS)
    assert user.get(f"/runs/{in_flight['id']}")["status"] == "running"
    assert user.send("POST", f"/workflows/{workflow_id}/versions/1/activate")["active_version"] == 1
    gate.opened.set()
    finished = user.wait_for(in_flight["id"], lambda run: run["status"] in TERMINAL)
    assert (finished["status"], finished["version"]) == ("completed", 2)
    assert [s["id"] for s in finished["steps"]] == ["pick", "analyse", "worst", "low"]
    next_run = user.send("POST", f"/workflows/{workflow_id}/runs", status=202)
    assert next_run["version"] == 1
    assert [s["id"] for s in user.wait_for(next_run["id"], lambda run: run["status"] in TERMINAL)["steps"]] == [
        "pick",
        "analyse",
        "worst",
    ]
    assert user.get("/workflows")["data"][0]["last_run"]["number"] == 2

    # Duplicate workflow: a new draft "… (copy)"; on it, change the trigger (after the warning) and clear it.
    copy = user.send("POST", f"/workflows/{workflow_id}/duplicate", status=201)
    assert (copy["name"], copy["status"]) == ("Nightly QA triage (copy)", "Draft")
    warned = client.post(
        f"/api/workflows/{copy['id']}/draft/trigger", json={"trigger": {"type": "manual"}}, headers=user.headers
    )
    assert (warned.status_code, CHANGE_WARNING in warned.json()["detail"]) == (409, True)
    changed = user.send(
        "POST", f"/workflows/{copy['id']}/draft/trigger", {"trigger": {"type": "manual"}, "confirm": True}
    )
    assert (changed["document"]["trigger"], changed["document"]["steps"]) == ({"type": "manual"}, [])
    assert "trigger" not in user.send("DELETE", f"/workflows/{copy['id']}/draft/trigger")["document"]

    # Delete with a run in flight: the run is cancelled, and nothing of the workflow is left behind.
    gate.reached.clear()
    gate.opened.clear()
    doomed = user.send("POST", f"/workflows/{workflow_id}/runs", status=202)
    assert gate.reached.wait(WAIT_SECONDS)
    store = store_of(client)
    threading.Thread(target=open_once_cancelled, args=(store, doomed["id"], gate), daemon=True).start()
    with caplog.at_level(logging.ERROR):
        user.send("DELETE", f"/workflows/{workflow_id}", status=204)
    # The engine had wound the run down before its rows went: it ended cleanly, cancelled, not crashed.
    assert client.app.state.services.backend.in_flight == set()  # type: ignore[attr-defined]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    with store.read() as session:
        deleted = session.scalars(select(AuditEntry).where(AuditEntry.action == "delete")).one()
    assert (deleted.workflow_id, deleted.detail["cancelled_runs"]) == (workflow_id, [doomed["id"]])
    assert client.get(f"/api/workflows/{workflow_id}").status_code == 404
    assert client.get(f"/api/runs/{doomed['id']}").status_code == 404
    run_ids = {in_flight["id"], next_run["id"], doomed["id"]}
    left = rows_of(store, workflow_id, run_ids)
    assert {name: n for name, n in left.items() if n} == {}
    assert [p for p in store.artifacts_dir.rglob("*") if any(r in p.parts for r in run_ids)] == []
    with store.read() as session:  # the conversations stay analysed (never billed twice), by no deleted run
        kept = session.execute(select(AnalysisResult.run_id, func.count()).group_by(AnalysisResult.run_id)).all()
    assert [tuple(row) for row in kept] == [(None, 6)]
    assert [w["name"] for w in user.get("/workflows")["data"]] == ["Nightly QA triage (copy)"]
    actions = [e["action"] for e in user.get(f"/workflows/{copy['id']}/audit")["data"]]
    assert actions == []  # the copy is new: its own history starts empty


def open_once_cancelled(store: Store, run_id: str, gate: Gate) -> None:
    """Let the held run go on only after the delete's cancel has committed (so it stops, not finishes)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with store.read() as session:
            if session.scalar(select(Run.status).where(Run.id == run_id)) == "cancelled":
                break
        time.sleep(0.01)
    gate.opened.set()
