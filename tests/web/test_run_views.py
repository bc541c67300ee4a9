"""What the browser draws beside a run, over the real app: the score and sentiment distribution of the
conversations a run processed (its bins add up to the run's processed count, its Filter's threshold comes with
it), a message's retry schedule against a real SMTP server that refuses for now, the live feed's run totals, and
the audit log across workflows with its filters and who may read what."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from redflare.adapters.db.orm import AnalysisResult
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.services.run_charts import histogram
from tests.factories import PROCESS, SELECT_DEMO, add_conversations, step, workflow
from tests.smtp_servers import refusing_server
from tests.web.conftest import add_user, sign_in
from tests.web.test_runs import RUDE, create_workflow, read_feed, run_now, steps_of, store_of, wait_for

BETWEEN = step(
    "middling",
    "filter",
    ["analyse"],
    condition={"rules": [{"rules": [{"field": "sentiment", "operator": "between", "value": [-0.5, 0.25]}]}]},
)


@pytest.fixture
def editor(client: TestClient, settings: Settings) -> dict[str, str]:
    add_user(settings, "ana@example.com", Role.EDITOR)
    return {"X-CSRF-Token": sign_in(client, "ana@example.com")}


class TestDistribution:
    def test_the_bins_hold_every_processed_conversation_by_its_score_and_sentiment(
        self, client: TestClient, editor: dict[str, str]
    ) -> None:
        """Nine chats processed: each histogram's bins and missing add up to 9, the run's processed count; each
        stored score lies in the bin that counts it; the Filters' bounds come as thresholds, a between's both."""
        add_conversations(store_of(client), 9)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS, RUDE, BETWEEN))
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        assert run["status"] == "completed"
        found = client.get(f"/api/runs/{run['id']}/distribution").json()
        assert found["processed"] == run["conversations_processed"] == 9
        for name in ("score", "sentiment"):
            assert sum(found[name]["counts"]) + found[name]["missing"] == 9
        with store_of(client).read() as session:
            scores = list(session.scalars(select(AnalysisResult.score).where(AnalysisResult.run_id == run["id"])))
        edges, counts = found["score"]["edges"], found["score"]["counts"]
        expected = [0] * len(counts)
        for score in scores:
            assert score is not None
            expected[min(len(counts) - 1, next(i for i in range(len(counts)) if score < edges[i + 1] or i == 9))] += 1
        assert counts == expected
        assert found["thresholds"] == [
            {"step_id": "rude", "field": "score", "operator": "<", "value": 70.0},
            {"step_id": "middling", "field": "sentiment", "operator": "between", "value": -0.5},
            {"step_id": "middling", "field": "sentiment", "operator": "between", "value": 0.25},
        ]

    def test_a_run_that_reused_every_result_processed_none(self, client: TestClient, editor: dict[str, str]) -> None:
        """The second run over the same chats reuses the stored results: nothing processed, nothing in the bins."""
        add_conversations(store_of(client), 4)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS))
        wait_for(client, run_now(client, editor, workflow_id)["id"])
        again = wait_for(client, run_now(client, editor, workflow_id)["id"])
        found = client.get(f"/api/runs/{again['id']}/distribution").json()
        assert (found["processed"], again["conversations_processed"]) == (0, 0)
        assert sum(found["score"]["counts"]) == 0

    def test_a_run_of_a_workflow_one_may_not_see_is_not_found(
        self, client: TestClient, editor: dict[str, str], settings: Settings
    ) -> None:
        """Ids do not leak: someone whose data access does not cover the creator's gets 404."""
        add_conversations(store_of(client), 2)
        workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO))
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        add_user(settings, "tim@example.com", Role.VIEWER, teams=["nobody"])
        sign_in(client, "tim@example.com")
        assert client.get(f"/api/runs/{run['id']}/distribution").status_code == 404
        assert client.get(f"/api/runs/{run['id']}/messages").status_code == 404


@given(st.lists(st.none() | st.floats(-5, 105, allow_nan=False), max_size=60))
def test_a_histogram_counts_each_value_once_in_its_bin(values: list[float | None]) -> None:
    """Bins and missing add up to the values given; a value inside the range lies within its bin's edges."""
    found = histogram(values, low=0.0, high=100.0, bins=10)
    assert sum(found.counts) + found.missing == len(values)
    assert found.missing == sum(1 for v in values if v is None)
    for value in values:
        if value is not None and 0 <= value < 100:
            index = int(value // 10)
            assert found.edges[index] <= value < found.edges[index + 1]
    assert sum(found.counts[1:-1]) == sum(1 for v in values if v is not None and 10 <= v < 90)


def test_a_message_refused_for_now_shows_its_attempts_and_next_try(cli_env: Path) -> None:
    """A real SMTP server answers 450 (greylisted) each time: the run's messages say which attempt it is on, of how
    many, and when it is tried next; the step keeps running meanwhile."""
    from redflare.web.app import create_app

    with refusing_server(answer="450 4.2.0 <{address}>: Greylisted") as server:
        settings = Settings(**server.settings(smtp_backoff_s=0.3, smtp_max_attempts=6))
        add_user(settings, "ana@example.com", Role.EDITOR)
        with TestClient(create_app(settings)) as client:
            headers = {"X-CSRF-Token": sign_in(client, "ana@example.com")}
            add_conversations(store_of(client), 2)
            tell = step("tell", "send_alert", ["pick"], subject="Alert", message="See", recipients=["qa@example.com"])
            workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, tell))
            started = run_now(client, headers, workflow_id)

            def retrying(found: dict[str, Any]) -> bool:
                return bool(found["data"]) and len(found["data"][0]["attempts"]) >= 2

            deadline = time.monotonic() + 30
            while not retrying(found := client.get(f"/api/runs/{started['id']}/messages").json()):
                assert time.monotonic() < deadline, found
                time.sleep(0.05)
            assert found["max_attempts"] == 6
            [message] = found["data"]
            if message["status"] == "pending":
                assert message["next_attempt_at"] is not None
                last = datetime.fromisoformat(message["attempts"][-1]["at"])
                assert datetime.fromisoformat(message["next_attempt_at"]) > last
                assert "450 4.2.0" in (message["attempts"][-1]["error"] or "")
            run = client.get(f"/api/runs/{started['id']}").json()
            assert steps_of(run)["tell"]["status"] in {"running", "failed"}
            client.post(f"/api/runs/{started['id']}/cancel", headers=headers)


def test_every_change_of_the_feed_carries_the_runs_totals(client: TestClient, editor: dict[str, str]) -> None:
    """The run's credits and processed count come with each change, so the header moves before the end; the last
    change's are the run's as it ended."""
    add_conversations(store_of(client), 6)
    workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS))
    run = wait_for(client, run_now(client, editor, workflow_id)["id"])
    changes = [data for name, data in read_feed(client, run["id"], {"Last-Event-ID": "0"}) if name == "change"]
    assert changes
    assert all(change["run_counts"] is not None for change in changes)
    processed = [change["run_counts"]["conversations_processed"] for change in changes]
    assert processed[-1] == run["conversations_processed"] == 6
    assert changes[-1]["run_counts"]["credits"] == pytest.approx(run["credits"])


class TestAuditSearch:
    def test_filters_by_workflow_action_actor_and_time(
        self, client: TestClient, editor: dict[str, str], settings: Settings
    ) -> None:
        """Ana publishes and pauses one workflow and publishes another: the log narrows to each filter, newest
        first, each entry naming its workflow; a viewer who may not see Ana's workflows reads none of it."""
        add_conversations(store_of(client), 1)
        first = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, name="First"))
        second = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, name="Second"))
        for path in (f"{first}/publish", f"{first}/pause", f"{second}/publish"):
            assert client.post(f"/api/workflows/{path}", headers=editor).status_code == 200
        everything = client.get("/api/audit").json()
        assert [(e["workflow_name"], e["action"]) for e in everything["data"]][:3] == [
            ("Second", "publish"),
            ("First", "pause"),
            ("First", "publish"),
        ]
        assert {"publish", "pause"} <= set(everything["actions"])
        published = client.get("/api/audit", params={"action": "publish"}).json()
        assert {e["workflow_name"] for e in published["data"]} == {"First", "Second"}
        assert published["count"] == 2
        of_first = client.get("/api/audit", params={"workflow_id": first}).json()
        assert [e["action"] for e in of_first["data"]] == ["pause", "publish"]
        assert client.get("/api/audit", params={"actor": "ANA@"}).json()["count"] == everything["count"]
        assert client.get("/api/audit", params={"actor": "bob"}).json()["count"] == 0
        later = (datetime.now(UTC) + timedelta(days=3650)).isoformat()
        assert client.get("/api/audit", params={"since": later}).json()["count"] == 0
        assert client.get("/api/audit", params={"until": later}).json()["count"] == everything["count"]
        add_user(settings, "tim@example.com", Role.VIEWER, teams=["nobody"])
        sign_in(client, "tim@example.com")
        assert client.get("/api/audit").json()["count"] == 0
        assert client.get("/api/audit", params={"workflow_id": first}).status_code == 404
