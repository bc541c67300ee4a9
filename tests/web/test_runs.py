"""Runs over the API as a user sees them: Run now, test runs, the list, metrics, one run with previews,
cancel, re-run from the failed step, the live feed, and who may do what."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from statistics import mean
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from redflare.adapters.db.orm import AnalysisResult, Charge, Pipeline, User, Workflow, WorkflowVersion
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.loading import document_from_data, dump_document
from redflare.domain.ports import FixedClock
from redflare.services.run_start import start_run
from redflare.services.workflows import save_draft_by_name
from redflare.web.routes import runs as routes_runs
from tests.factories import PROCESS, SELECT_DEMO, TEAMS, add_conversations, step, workflow
from tests.integrations.conftest import chat
from tests.web.conftest import add_user, sign_in

TERMINAL = {"completed", "failed", "cancelled"}
SORTED = step("worst", "sort", ["analyse"], by=[{"field": "score", "direction": "asc"}])
RUDE = step("rude", "filter", ["analyse"], condition={"rules": [{"field": "score", "operator": "<", "value": 70}]})


class TickingClock(FixedClock):
    """Moves a millisecond each time it is read: runs take time, so runtimes and averages mean something."""

    def now(self) -> datetime:
        self.advance(0.001)
        return super().now()


@pytest.fixture
def clock() -> FixedClock:
    return TickingClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.services.store  # type: ignore[attr-defined]
    return store


def create_workflow(client: TestClient, owner: str, document: dict[str, Any], *, publish: str | None = None) -> str:
    """A workflow as `owner` made it; with `publish` ("live" or "paused") its draft is version 1 and active."""
    now = datetime.now(UTC)
    with store_of(client).transaction() as session:
        user_id = session.scalar(select(User.id).where(User.email == owner))
        parsed = document_from_data(document)
        stored = save_draft_by_name(session, parsed, now=now, created_by=user_id)
        if publish:
            session.add(
                WorkflowVersion(
                    workflow_id=stored.id,
                    number=1,
                    definition=dump_document(parsed),
                    created_by=user_id,
                    created_at=now,
                )
            )
            stored.status, stored.active_version = publish, 1
        return stored.id


def set_draft(client: TestClient, workflow_id: str, document: dict[str, Any]) -> None:
    with store_of(client).transaction() as session:
        stored = session.get(Workflow, workflow_id)
        assert stored is not None
        stored.draft = dump_document(document_from_data(document))


def set_archived(client: TestClient, archived: bool) -> None:
    with store_of(client).transaction() as session:
        session.execute(Pipeline.__table__.update().values(archived=archived))


def count(client: TestClient, model: type[Any]) -> int:
    with store_of(client).transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def wait_for(client: TestClient, run_id: str, done: Any = None, *, timeout: float = 30.0) -> dict[str, Any]:
    """Poll GET /runs/{id} until `done(run)` (by default: the run has ended), within `timeout` seconds."""
    done = done or (lambda run: run["status"] in TERMINAL)
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/api/runs/{run_id}")
        assert response.status_code == 200, response.text
        run: dict[str, Any] = response.json()
        if done(run) or time.monotonic() > deadline:
            assert done(run), f"gave up waiting: {run['status']}"
            return run
        time.sleep(0.05)


def steps_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in run["steps"]}


@pytest.fixture
def editor(client: TestClient, settings: Settings) -> dict[str, str]:
    """Ana, an editor who sees everything, signed in; her CSRF header."""
    add_user(settings, "ana@example.com", Role.EDITOR)
    return {"X-CSRF-Token": sign_in(client, "ana@example.com")}


def run_now(client: TestClient, headers: dict[str, str], workflow_id: str, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/workflows/{workflow_id}/runs", json=body or None, headers=headers)
    assert response.status_code == 202, response.text
    run: dict[str, Any] = response.json()
    return run


class TestRunNow:
    def test_run_now_queues_the_draft_and_it_completes(self, client: TestClient, editor: dict[str, str]) -> None:
        """Run now answers the queued run at once; it then runs the draft to completion."""
        ids = add_conversations(store_of(client), 8)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS, SORTED))
        queued = run_now(client, editor, workflow_id)
        assert (queued["status"], queued["number"], queued["version"], queued["test"]) == ("queued", 1, None, False)
        assert {s["status"] for s in queued["steps"]} == {"pending"}
        run = wait_for(client, queued["id"])
        assert run["status"] == "completed"
        assert steps_of(run)["pick"]["rows_out"] == len(ids)
        assert run["conversations_processed"] == len(ids)
        assert run["credits"] == pytest.approx(float(count(client, Charge)))  # default-qa: one credit per chat

    @pytest.mark.parametrize("state", ["live", "paused"])
    def test_a_published_workflow_runs_its_active_version(
        self, client: TestClient, editor: dict[str, str], state: str
    ) -> None:
        """A live or paused workflow runs the active version, not the draft being edited."""
        add_conversations(store_of(client), 3)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO), publish=state)
        set_draft(client, workflow_id, workflow(SELECT_DEMO, PROCESS))
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        assert (run["status"], run["version"]) == ("completed", 1)
        assert list(steps_of(run)) == ["pick"]

    def test_a_draft_with_issues_is_refused_with_them(self, client: TestClient, editor: dict[str, str]) -> None:
        """Final checks stand between a draft and a run: 422 naming each issue's node; no run is made."""
        add_conversations(store_of(client), 2)
        bad = step("analyse", "process_conversations", ["pick"], pipeline="no-such-pipeline")
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, bad))
        response = client.post(f"/api/workflows/{workflow_id}/runs", headers=editor)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [(e["path"], e["node"]) for e in response.json()["errors"]] == [("steps[1].config.pipeline", "analyse")]
        assert client.get(f"/api/workflows/{workflow_id}/runs").json()["count"] == 0

    def test_a_test_run_charges_and_stores_nothing(self, client: TestClient, editor: dict[str, str]) -> None:
        """A test run goes through every step but spends no credit and keeps no analysis result."""
        ids = add_conversations(store_of(client), 5)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS, SORTED))
        run = wait_for(client, run_now(client, editor, workflow_id, test=True)["id"])
        assert (run["status"], run["test"], run["credits"]) == ("completed", True, 0.0)
        assert steps_of(run)["worst"]["rows_out"] == len(ids)  # analysed all the same
        assert (count(client, Charge), count(client, AnalysisResult)) == (0, 0)

    def test_a_test_run_works_on_a_sample(self, client: TestClient, editor: dict[str, str]) -> None:
        """A test run takes at most `sample` conversations per selection (100 by default); a real run takes all."""
        add_conversations(store_of(client), 12)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        started = client.post(f"/api/workflows/{workflow_id}/runs", json={"test": True, "sample": 3}, headers=editor)
        assert started.status_code == 202, started.text
        run = wait_for(client, started.json()["id"])
        assert run["trigger"]["payload"]["sample"] == 3
        assert steps_of(run)["pick"]["rows_out"] == 3
        assert (
            steps_of(wait_for(client, run_now(client, editor, workflow_id, test=True)["id"]))["pick"]["rows_out"] == 12
        )
        assert steps_of(wait_for(client, run_now(client, editor, workflow_id)["id"]))["pick"]["rows_out"] == 12
        refused = client.post(f"/api/workflows/{workflow_id}/runs", json={"sample": 3}, headers=editor)
        assert refused.status_code == 422
        assert "test runs" in refused.text

    def test_a_sync_triggered_test_run_takes_the_latest_syncs_conversations(
        self, client: TestClient, editor: dict[str, str]
    ) -> None:
        """After a Sync Completed trigger, a test run's gathered set is what the latest sync of that source brought."""
        add_conversations(store_of(client), 6)  # other conversations, which must not be gathered
        created = client.post("/api/integrations", json={"name": "crm", "kind": "push"}, headers=editor).json()
        token = {"Authorization": f"Bearer {created['token']}"}
        for batch in (["old-1", "old-2"], ["new-1", "new-2", "new-3"]):
            pushed = client.post(
                f"/api/integrations/{created['id']}/sync",
                json={"conversations": [chat(i) for i in batch]},
                headers=token,
            )
            assert pushed.status_code == 200, pushed.text
        document = workflow(step("pick", "select_conversations"))
        document["trigger"] = {"type": "sync_completed", "integration": "crm"}
        workflow_id = create_workflow(client, "ana@example.com", document)
        run = wait_for(client, run_now(client, editor, workflow_id, test=True)["id"])
        assert run["trigger"]["type"] == "sync_completed"
        assert sorted(row["id"] for row in steps_of(run)["pick"]["preview"]["out"]) == ["new-1", "new-2", "new-3"]

    def test_a_used_up_call_limit_refuses_a_real_run(self, client: TestClient, editor: dict[str, str]) -> None:
        """Each Run now is a call: once the limit is used up, a run is refused (409); a test run still goes."""
        add_conversations(store_of(client), 2)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, settings={"call_limit": 1}))
        wait_for(client, run_now(client, editor, workflow_id)["id"])
        refused = client.post(f"/api/workflows/{workflow_id}/runs", headers=editor)
        assert refused.status_code == 409
        assert "call limit" in refused.json()["detail"]
        assert wait_for(client, run_now(client, editor, workflow_id, test=True)["id"])["status"] == "completed"

    def test_runs_act_with_the_creators_rules(self, client: TestClient, settings: Settings) -> None:
        """An admin running a Billing editor's workflow gets only what that editor may see."""
        add_conversations(store_of(client), 10)
        add_user(settings, "bo@example.com", Role.EDITOR, teams=[TEAMS[0]])
        add_user(settings, "root@example.com", Role.ADMIN)
        workflow_id = create_workflow(client, "bo@example.com", workflow(SELECT_DEMO))
        headers = {"X-CSRF-Token": sign_in(client, "root@example.com")}
        run = wait_for(client, run_now(client, headers, workflow_id)["id"])
        billing = len([i for i in range(10) if TEAMS[i % len(TEAMS)] == TEAMS[0]])
        assert steps_of(run)["pick"]["rows_out"] == billing
        assert {row["team"] for row in steps_of(run)["pick"]["preview"]["out"]} == {TEAMS[0]}


class TestRunDetail:
    def test_previews_hold_the_first_rows_of_each_output(self, client: TestClient, editor: dict[str, str]) -> None:
        """Each step previews at most 50 rows of every port, as JSON: times in ISO 8601, tags as lists."""
        add_conversations(store_of(client), 60)
        split = step(
            "split",
            "distribute",
            ["analyse"],
            mode="percentage",
            groups=[{"name": "A", "share": 70}, {"name": "B", "share": 30}],
        )
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS, RUDE, SORTED, split))
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        assert run["status"] == "completed"
        for one in run["steps"]:
            assert set(one["preview"]) == set(one["outputs"])
            for port, rows in one["preview"].items():
                assert len(rows) == min(50, one["outputs"][port])
        pick = steps_of(run)["pick"]["preview"]["out"]
        assert all(isinstance(row["tags"], list) for row in pick)
        assert all(datetime.fromisoformat(row["started_at"]).tzinfo is not None for row in pick)
        scores = [row["score"] for row in steps_of(run)["worst"]["preview"]["out"]]
        assert scores == sorted(scores)
        assert all(row["score"] < 70 for row in steps_of(run)["rude"]["preview"]["out"])

    def test_an_unknown_run_is_404(self, client: TestClient, editor: dict[str, str]) -> None:
        """A run id that does not exist answers 404 problem details."""
        response = client.get("/api/runs/nope")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestListAndMetrics:
    def test_no_runs_yet(self, client: TestClient, editor: dict[str, str]) -> None:
        """Before any run the Runs tab shows the guide's empty state and zero figures."""
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        metrics = client.get(f"/api/workflows/{workflow_id}/metrics").json()
        assert metrics["empty_state"] == {
            "title": "No Runs yet",
            "message": "Your workflow runs will appear here once the workflow has been executed.",
        }
        assert (metrics["total"], metrics["credits_used"], metrics["average_runtime_s"]) == (0, 0.0, None)
        assert client.get(f"/api/workflows/{workflow_id}/runs").json() == {"data": [], "count": 0}

    def test_list_and_metrics_follow_the_runs(self, client: TestClient, editor: dict[str, str]) -> None:
        """The list is newest first and paged; the header's figures are those of the listed runs."""
        add_conversations(store_of(client), 6)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS), publish="live")
        made = [wait_for(client, run_now(client, editor, workflow_id, test=t)["id"]) for t in (False, True, False)]
        set_archived(client, True)  # a fourth run fails at Process
        made.append(wait_for(client, run_now(client, editor, workflow_id)["id"]))
        listed = client.get(f"/api/workflows/{workflow_id}/runs").json()
        assert listed["count"] == len(made)
        assert [r["number"] for r in listed["data"]] == sorted((r["number"] for r in made), reverse=True)
        assert [r["test"] for r in listed["data"]] == [False, False, True, False]
        page = client.get(f"/api/workflows/{workflow_id}/runs", params={"limit": 2, "offset": 1}).json()
        assert [r["id"] for r in page["data"]] == [r["id"] for r in listed["data"][1:3]]
        # A test run is a preview: out of the figures, counted apart; `?tests=true` counts it in.
        for include_tests in (False, True):
            metrics = client.get(f"/api/workflows/{workflow_id}/metrics", params={"tests": include_tests}).json()
            counted = [r for r in listed["data"] if include_tests or not r["test"]]
            statuses = [r["status"] for r in counted]
            completed = [r["runtime_s"] for r in counted if r["status"] == "completed"]
            assert metrics["completed"] == statuses.count("completed") == (3 if include_tests else 2)
            assert metrics["failed"] == statuses.count("failed") == 1
            assert (metrics["cancelled"], metrics["in_progress"], metrics["total"]) == (0, 0, len(counted))
            assert metrics["test_runs"] == 1
            assert metrics["credits_used"] == pytest.approx(sum(r["credits"] for r in counted))
            assert metrics["credits_used"] == pytest.approx(float(count(client, Charge)))  # a test run charges nothing
            assert metrics["average_runtime_s"] == pytest.approx(mean(completed), abs=1e-3)
            assert metrics["average_runtime_s"] > 0
            assert metrics["empty_state"] is None


class TestCancel:
    def test_cancel_stops_spending_at_once(self, client: TestClient, editor: dict[str, str]) -> None:
        """After the cancel answers, not one more credit is charged; the run and its open steps end cancelled."""
        add_conversations(store_of(client), 600)
        slow = step("analyse", "process_conversations", ["pick"], pipeline="default-qa", batch_size=1)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, slow, SORTED))
        queued = run_now(client, editor, workflow_id)
        wait_for(client, queued["id"], lambda run: run["credits"] > 0)  # it is spending
        response = client.post(f"/api/runs/{queued['id']}/cancel", headers=editor)
        charged = count(client, Charge)
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        run = wait_for(
            client, queued["id"], lambda run: all(s["status"] not in ("pending", "running") for s in run["steps"])
        )
        assert count(client, Charge) == charged < 600
        assert run["credits"] == pytest.approx(float(charged))
        assert (steps_of(run)["analyse"]["status"], steps_of(run)["worst"]["status"]) == ("cancelled", "cancelled")

    def test_a_finished_run_cannot_be_cancelled(self, client: TestClient, editor: dict[str, str]) -> None:
        """Cancelling a run that has ended is a conflict (409), and changes nothing."""
        add_conversations(store_of(client), 2)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        response = client.post(f"/api/runs/{run['id']}/cancel", headers=editor)
        assert response.status_code == 409
        assert client.get(f"/api/runs/{run['id']}").json()["status"] == "completed"


class TestRerun:
    def test_rerun_from_the_failed_step(self, client: TestClient, editor: dict[str, str]) -> None:
        """Once the cause is fixed, a failed run re-runs from the failed step and completes, charging once."""
        ids = add_conversations(store_of(client), 6)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS, SORTED), publish="live")
        set_archived(client, True)  # the pipeline goes away: Process fails
        failed = wait_for(client, run_now(client, editor, workflow_id)["id"])
        before = steps_of(failed)
        assert (failed["status"], before["analyse"]["status"], before["worst"]["status"]) == (
            "failed",
            "failed",
            "skipped",
        )
        set_archived(client, False)
        response = client.post(f"/api/runs/{failed['id']}/rerun", headers=editor)
        assert response.status_code == 202
        assert response.json()["status"] == "running"
        run = wait_for(client, failed["id"])
        after = steps_of(run)
        assert run["status"] == "completed"
        assert after["pick"]["started_at"] == before["pick"]["started_at"]  # not executed again
        assert after["analyse"]["started_at"] > before["analyse"]["started_at"]
        assert after["worst"]["rows_out"] == len(ids)
        assert count(client, Charge) == len(ids)

    def test_only_a_failed_run_reruns(self, client: TestClient, editor: dict[str, str]) -> None:
        """Re-running a completed run is a conflict (409)."""
        add_conversations(store_of(client), 2)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        response = client.post(f"/api/runs/{run['id']}/rerun", headers=editor)
        assert response.status_code == 409
        assert response.json()["detail"] == "only a failed run can be re-run; run 1 is completed"


def read_feed(client: TestClient, run_id: str, headers: dict[str, str] | None = None) -> list[tuple[str, Any]]:
    """The feed's events as (event name, parsed data), until the server closes the stream."""
    events: list[tuple[str, Any]] = []
    name, data = "message", ""
    with client.stream("GET", f"/api/runs/{run_id}/events", headers=headers or {}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data += line.removeprefix("data:").strip()
            elif not line and data:
                events.append((name, json.loads(data)))
                name, data = "message", ""
    return events


class TestLiveFeed:
    def test_the_feed_replays_every_change_in_order_and_ends(self, client: TestClient, editor: dict[str, str]) -> None:
        """From Last-Event-ID 0 the feed gives the run's whole history in order, then its end."""
        add_conversations(store_of(client), 20)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS, SORTED))
        run_id = run_now(client, editor, workflow_id)["id"]
        events = read_feed(client, run_id, {"Last-Event-ID": "0"})
        names = [name for name, _ in events]
        assert names[0] == "snapshot"
        assert names[-1] == "end"
        assert set(names[1:-1]) == {"change"}
        changes = [data for name, data in events if name == "change"]
        assert [c["id"] for c in changes] == sorted({c["id"] for c in changes})
        assert [c["status"] for c in changes if c["step_id"] is None] == ["queued", "running", "completed"]
        statuses = [c for c in changes if c["progress"] is None]  # progress reports are changes too, see below
        for step_id in ("pick", "analyse", "worst"):
            assert [c["status"] for c in statuses if c["step_id"] == step_id] == ["running", "completed"]
        analysed = [c for c in changes if c["step_id"] == "analyse" and c["status"] == "completed"]
        assert analysed[0]["counts"]["rows_out"] == 20
        final = wait_for(client, run_id)
        for one in final["steps"]:
            del one["preview"]  # the feed carries states, not rows
        assert events[-1][1] == final

    def test_a_live_feed_follows_a_running_run_to_its_end(self, client: TestClient, editor: dict[str, str]) -> None:
        """Opened while the run goes, the feed starts from the current state and ends with the run."""
        add_conversations(store_of(client), 100)
        slow = step("analyse", "process_conversations", ["pick"], pipeline="default-qa", batch_size=5)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, slow))
        run_id = run_now(client, editor, workflow_id)["id"]
        events = read_feed(client, run_id)
        snapshot, end = events[0][1], events[-1][1]
        assert snapshot["id"] == end["id"] == run_id
        assert end["status"] == "completed"
        # The changes carry on from the snapshot, in order (one the snapshot already shows may come again).
        history = ["queued", "running", "completed"]
        run_changes = [d["status"] for n, d in events if n == "change" and d["step_id"] is None]
        assert run_changes in [history[i:] for i in range(len(history) + 1)]
        assert len(run_changes) >= len(history) - history.index(snapshot["status"]) - 1

    def test_the_feed_carries_process_conversations_progress(self, client: TestClient, editor: dict[str, str]) -> None:
        """A step's progress reports are `running` changes whose counts are {processed, total, credits}, between
        its start and its end; the last has every conversation processed, at the step's credits."""
        add_conversations(store_of(client), 20)
        batched = step("analyse", "process_conversations", ["pick"], pipeline="default-qa", batch_size=5)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, batched))
        run_id = run_now(client, editor, workflow_id)["id"]
        events = read_feed(client, run_id, {"Last-Event-ID": "0"})
        analyse = [d for n, d in events if n == "change" and d["step_id"] == "analyse"]
        reports = [d for d in analyse if d["progress"] is not None]
        assert [(d["status"], d["progress"]) for d in (analyse[0], analyse[-1])] == [
            ("running", None),  # the start
            ("completed", None),  # the end
        ]
        assert analyse[1:-1] == reports
        assert 1 <= len(reports) <= 4 + 1  # throttled: at most one per batch plus the first
        assert all(r["status"] == "running" and r["counts"] == r["progress"] for r in reports)
        processed = [r["counts"]["processed"] for r in reports]
        assert processed == sorted(set(processed))
        end = events[-1][1]
        credits = steps_of(end)["analyse"]["credits"]
        assert credits == pytest.approx(20.0)
        assert reports[-1]["counts"] == {"processed": 20, "total": 20, "credits": credits}
        assert steps_of(end)["analyse"]["progress"] == reports[-1]["counts"]
        assert steps_of(end)["pick"]["progress"] is None
        assert steps_of(wait_for(client, run_id))["analyse"]["progress"] == reports[-1]["counts"]

    def test_the_feed_of_a_finished_run_ends_at_once(self, client: TestClient, editor: dict[str, str]) -> None:
        """A run that has ended gives its state and the end, nothing else."""
        add_conversations(store_of(client), 2)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        assert [name for name, _ in read_feed(client, run["id"])] == ["snapshot", "end"]

    def test_a_feed_that_runs_long_closes_without_an_end(
        self, client: TestClient, editor: dict[str, str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A feed is bounded: past its time it closes with no `end`, so the browser reconnects and resumes."""
        monkeypatch.setattr(routes_runs, "STREAM_SECONDS", 0.3)
        add_conversations(store_of(client), 2)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        with store_of(client).transaction() as session:  # queued, never handed to the engine: it stays queued
            parsed = document_from_data(workflow(SELECT_DEMO))
            run_id = start_run(
                session, workflow_id=workflow_id, document=parsed, version=None, now=datetime.now(UTC)
            ).id
        assert [(name, data["status"]) for name, data in read_feed(client, run_id)] == [("snapshot", "queued")]


class TestAccess:
    @pytest.fixture
    def finished(self, client: TestClient, editor: dict[str, str]) -> dict[str, Any]:
        """A completed run of Ana's workflow."""
        add_conversations(store_of(client), 3)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        return wait_for(client, run_now(client, editor, workflow_id)["id"])

    def test_viewers_read_runs_but_do_not_start_or_change_them(
        self, client: TestClient, settings: Settings, finished: dict[str, Any]
    ) -> None:
        """A viewer gets 403 on Run now, cancel and re-run; the run, the list and the metrics are theirs to read."""
        add_user(settings, "vi@example.com", Role.VIEWER)
        headers = {"X-CSRF-Token": sign_in(client, "vi@example.com")}
        workflow_id, run_id = finished["workflow_id"], finished["id"]
        assert client.post(f"/api/workflows/{workflow_id}/runs", headers=headers).status_code == 403
        assert client.post(f"/api/runs/{run_id}/cancel", headers=headers).status_code == 403
        assert client.post(f"/api/runs/{run_id}/rerun", headers=headers).status_code == 403
        assert client.get(f"/api/runs/{run_id}").status_code == 200
        assert client.get(f"/api/workflows/{workflow_id}/runs").json()["count"] == 1
        assert client.get(f"/api/workflows/{workflow_id}/metrics").json()["completed"] == 1
        assert [name for name, _ in read_feed(client, run_id)] == ["snapshot", "end"]

    def test_a_workflow_one_may_not_see_is_not_found(
        self, client: TestClient, settings: Settings, finished: dict[str, Any]
    ) -> None:
        """An editor limited to one team gets 404 for every run path of a workflow made with wider rules."""
        add_user(settings, "bo@example.com", Role.EDITOR, teams=[TEAMS[0]])
        headers = {"X-CSRF-Token": sign_in(client, "bo@example.com")}
        workflow_id, run_id = finished["workflow_id"], finished["id"]
        answers = [
            client.post(f"/api/workflows/{workflow_id}/runs", headers=headers),
            client.get(f"/api/workflows/{workflow_id}/runs"),
            client.get(f"/api/workflows/{workflow_id}/metrics"),
            client.get(f"/api/runs/{run_id}"),
            client.get(f"/api/runs/{run_id}/events"),
            client.post(f"/api/runs/{run_id}/cancel", headers=headers),
            client.post(f"/api/runs/{run_id}/rerun", headers=headers),
        ]
        assert [a.status_code for a in answers] == [404] * len(answers)
        unknown = client.get("/api/runs/no-such-run").json()["detail"]
        assert client.get(f"/api/runs/{run_id}").json()["detail"] == unknown.replace("no-such-run", run_id)

    def test_signed_out_is_401(self, client: TestClient, finished: dict[str, Any]) -> None:
        """Without a session every run path answers 401."""
        client.cookies.clear()
        assert client.get(f"/api/runs/{finished['id']}").status_code == 401
        assert client.get(f"/api/runs/{finished['id']}/events").status_code == 401
        assert client.post(f"/api/workflows/{finished['workflow_id']}/runs").status_code == 401
