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


def test_each_kind_brings_its_icon_colour_ports_and_field_visibility(client: TestClient, settings: Settings) -> None:
    """Issue P9: the UI keeps no copy of step knowledge; it comes with each kind in the catalog."""
    add_user(settings, "viewer@example.com", Role.VIEWER)
    sign_in(client, "viewer@example.com")
    body = client.get("/api/steps").json()
    kinds = {kind["type"]: kind for kind in body["steps"]}
    for kind in kinds.values():
        assert kind["icon"].startswith("M"), kind["type"]
    assert len({kind["color"] for kind in kinds.values()}) == 7  # the minimap tells the kinds apart
    assert kinds["distribute"]["ports_from"] == {"list_field": "groups", "name_field": "name"}
    assert kinds["filter"]["ports_from"] is None
    assert kinds["distribute"]["shown_when"]["share"] == {"mode": ["percentage"]}
    assert set(kinds["distribute"]["shown_when"]["seed"]["mode"]) == {"counts", "percentage", "round_robin"}
    assert kinds["sort"]["shown_when"] == {}
    assert all(trigger["icon"] and trigger["color"] for trigger in body["triggers"])


def test_each_node_of_a_document_gets_its_summary_and_ports(client: TestClient, settings: Settings) -> None:
    """Issue P9: nodes showed only the kind and the step id. POST /steps/summaries answers each node's line, from
    its kind, for the document as the canvas holds it: a step not set up yet says so, and keeps the ports it has."""
    add_user(settings, "viewer@example.com", Role.VIEWER)
    csrf = sign_in(client, "viewer@example.com")
    document = {
        "name": "Summaries",
        "trigger": {"type": "schedule", "daily": "09:00", "timezone": "Europe/London"},
        "steps": [
            {"id": "pick", "type": "select_conversations", "config": {"limit": 500}},
            {
                "id": "low",
                "type": "filter",
                "after": ["pick"],
                "config": {"condition": {"rules": [{"field": "score", "operator": "<", "value": 70}]}},
            },
            {"id": "top", "type": "sort", "after": ["low"], "config": {"by": [{"field": "score"}], "limit": 10}},
            {
                "id": "split",
                "type": "distribute",
                "after": ["top"],
                "config": {
                    "mode": "percentage",
                    "groups": [{"name": "Reviewer A", "share": 50}, {"name": "Reviewer B", "share": 50}],
                },
            },
            {
                "id": "half",
                "type": "distribute",
                "after": ["top"],
                "config": {"mode": "percentage", "groups": [{"name": "Only", "share": 50}]},
            },
            {"id": "report", "type": "schedule_export", "after": ["split.Reviewer A"], "config": {}},
            {"id": "odd", "type": "no_such_kind", "config": {}},
        ],
    }
    answer = client.post("/api/steps/summaries", json=document, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["trigger"] == "daily at 09:00 (Europe/London)"
    steps = body["steps"]
    assert steps["pick"] == {"summary": "at most 500", "complete": True, "ports": ["out"]}
    assert steps["low"]["summary"] == "score < 70"
    assert steps["top"]["summary"] == "Top 10 by score ↑"
    assert steps["split"] == {
        "summary": "Reviewer A 50% · Reviewer B 50%",
        "complete": True,
        "ports": ["Reviewer A", "Reviewer B"],
    }
    assert steps["half"] == {"summary": "Not set up yet", "complete": False, "ports": ["Only"]}  # shares ≠ 100
    assert steps["report"] == {"summary": "Not set up yet", "complete": False, "ports": ["out"]}
    assert steps["odd"]["complete"] is False
    assert "no_such_kind" in steps["odd"]["summary"]

    no_trigger = client.post("/api/steps/summaries", json={"steps": []}, headers={"X-CSRF-Token": csrf})
    assert no_trigger.json() == {"trigger": None, "steps": {}}
