"""GET /api/steps: the canvas's catalog of step kinds (with their side-panel forms), triggers and columns."""

from __future__ import annotations

from fastapi.testclient import TestClient

from redflare.config import Settings
from redflare.domain.access import Role
from redflare.steps.registry import STEP_KINDS
from tests.web.conftest import add_user, sign_in


def test_needs_a_signed_in_user(client: TestClient) -> None:
    assert client.get("/api/steps").status_code == 401


def test_lists_the_seven_step_kinds_with_forms_the_server_validates_by(client: TestClient, settings: Settings) -> None:
    """Each kind's form is its config's JSON Schema, with every field's description and helper text."""
    add_user(settings, "viewer@example.com", Role.VIEWER)
    sign_in(client, "viewer@example.com")
    body = client.get("/api/steps").json()

    titles = [kind["title"] for kind in body["steps"]]
    assert titles == [
        "Select Conversations",
        "Process Conversations",
        "Filter",
        "Sort",
        "Distribute",
        "Send Alert",
        "Schedule Export",
    ]
    for kind in body["steps"]:
        assert kind["config_schema"] == STEP_KINDS[kind["type"]].config_model.model_json_schema()
        for name, field in kind["config_schema"]["properties"].items():
            assert field.get("description"), f"{kind['type']}.{name} has no description"
            assert field.get("helper"), f"{kind['type']}.{name} has no helper text"
    takes_input = {kind["type"]: kind["takes_input"] for kind in body["steps"]}
    assert takes_input["select_conversations"] is False
    assert takes_input["filter"] is True


def test_lists_the_guides_triggers_and_the_sets_columns(client: TestClient, settings: Settings) -> None:
    add_user(settings, "viewer@example.com", Role.VIEWER)
    sign_in(client, "viewer@example.com")
    body = client.get("/api/steps").json()
    assert [t["title"] for t in body["triggers"]][:4] == [
        "On a Schedule",
        "Integration Sync Started",
        "Integration Sync Completed",
        "Integration Sync Failed",
    ]
    columns = {c["name"]: c for c in body["columns"]}
    assert columns["started_at"]["kind"] == "datetime"
    assert columns["score"] == {"name": "score", "kind": "number", "analysis": True}
    assert columns["tags"]["kind"] == "text_list"


def test_each_step_is_offered_exactly_the_columns_its_input_will_have(client: TestClient, settings: Settings) -> None:
    """Issue P8: Schedule Export's column picker did not offer Distribute's `group`. POST /steps/columns answers,
    per step, what validation says its input will carry: `group` after Distribute, a pipeline's own criteria after
    Process Conversations, and nothing of the analysis before it."""
    add_user(settings, "viewer@example.com", Role.VIEWER)
    csrf = sign_in(client, "viewer@example.com")
    document = {
        "name": "Columns",
        "trigger": {"type": "manual"},
        "steps": [
            {"id": "pick", "type": "select_conversations", "config": {}},
            {"id": "analyse", "type": "process_conversations", "after": ["pick"], "config": {"pipeline": "default-qa"}},
            {
                "id": "split",
                "type": "distribute",
                "after": ["analyse"],
                "config": {"mode": "round_robin", "groups": [{"name": "A"}, {"name": "B"}]},
            },
            {"id": "report", "type": "schedule_export", "after": ["split.A", "split.B"], "config": {}},
        ],
    }
    answer = client.post("/api/steps/columns", json=document, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text
    columns = {step: {c["name"] for c in found} for step, found in answer.json()["columns"].items()}
    assert "score" not in columns["analyse"]
    assert {"score", "criterion.greeting"} <= columns["split"]
    assert "group" not in columns["split"]
    assert {"group", "score", "criterion.greeting"} <= columns["report"]
    assert "pick" not in columns  # a step that starts a branch has no input
