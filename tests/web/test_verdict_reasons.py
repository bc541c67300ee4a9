"""Every verdict says why, over the real app: a run's Process Conversations preview and the pipelines' try panel
each answer, per criterion, a sentence that agrees with the verdict shown beside it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from redflare.config import Settings
from redflare.domain.access import Role
from tests.factories import PROCESS, SELECT_DEMO, add_conversations, workflow
from tests.web.conftest import add_user, sign_in
from tests.web.test_runs import create_workflow, run_now, steps_of, store_of, wait_for

OPENING = {True: "Passed:", False: "Failed:", None: "Does not apply:"}


@pytest.fixture
def editor(client: TestClient, settings: Settings) -> dict[str, str]:
    add_user(settings, "ana@example.com", Role.EDITOR)
    return {"X-CSRF-Token": sign_in(client, "ana@example.com")}


def test_each_preview_rows_verdicts_say_why(client: TestClient, editor: dict[str, str]) -> None:
    """Every conversation the preview shows has a reason per criterion, opening with the verdict its row holds;
    a second run that reuses the results explains them the same way."""
    add_conversations(store_of(client), 7)
    workflow_id = create_workflow(client, "ana@example.com", workflow(SELECT_DEMO, PROCESS))
    for _ in range(2):
        run = wait_for(client, run_now(client, editor, workflow_id)["id"])
        [rows] = steps_of(run)["analyse"]["preview"].values()
        answer = client.get(f"/api/runs/{run['id']}/steps/analyse/reasons")
        assert answer.status_code == 200, answer.text
        reasons = answer.json()["data"]
        assert set(reasons) == {row["id"] for row in rows}
        for row in rows:
            criteria = {
                key.removeprefix("criterion."): value for key, value in row.items() if key.startswith("criterion.")
            }
            assert criteria
            assert set(reasons[row["id"]]) == set(criteria)
            for name, passed in criteria.items():
                assert reasons[row["id"]][name].startswith(OPENING[passed]), (name, passed, reasons[row["id"]][name])
    assert client.get(f"/api/runs/{run['id']}/steps/pick/reasons").json()["data"] == {}
    assert client.get(f"/api/runs/{run['id']}/steps/nothing/reasons").status_code == 404


def test_the_try_panel_says_why_for_every_criterion(client: TestClient, editor: dict[str, str]) -> None:
    """Trying default-qa on a chat answers a reason per criterion agreeing with its verdict; the conditional apology
    names the customer's lowest sentiment."""
    [conversation_id, *_] = add_conversations(store_of(client), 3)
    answer = client.post("/api/pipelines/default-qa/try", json={"conversation_id": conversation_id}, headers=editor)
    assert answer.status_code == 200, answer.text
    tried = answer.json()
    assert set(tried["reasons"]) == set(tried["criteria"])
    for name, passed in tried["criteria"].items():
        assert tried["reasons"][name].startswith(OPENING[passed])
    assert "customer's lowest sentiment" in tried["reasons"]["apology"]
