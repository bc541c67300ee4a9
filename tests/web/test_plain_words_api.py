"""The API's validation answers in plain words (P9 item 1): one sentence per field, union noise collapsed,
unknown keys named; a refused draft lists every issue at once; a pipeline's bad range names its criterion.
The problem shape (RFC 9457 with `errors[]` of path, message, node) is unchanged."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from redflare.domain.access import Role
from tests.web.test_workflows import Actor, actor, assert_problem

NOISE = re.compile(r"Field required|Extra inputs|Input should|String should|List should|Value error|literal\[")


@pytest.fixture
def ana(client: TestClient) -> Actor:
    return actor(client, "ana@example.com", Role.ADMIN)


def pick(config: dict[str, Any]) -> dict[str, Any]:
    return {"id": "pick", "type": "select_conversations", "after": [], "config": config}


def issues_of(body: dict[str, Any], key: str = "issues") -> list[tuple[str, str, str | None]]:
    return [(issue["path"], issue["message"], issue["node"]) for issue in body[key]]


class TestFieldSentences:
    def test_an_integration_source_without_one_is_one_sentence(self, ana: Actor) -> None:
        """Final checks of a step whose Source is Integration, none chosen: one sentence at the integration."""
        body = ana.post(
            "/workflows",
            {"name": "Src", "trigger": {"type": "manual"}, "steps": [pick({"source": {"integration": ""}})]},
        )
        assert body.status_code == 201, body.text
        assert issues_of(body.json()) == [
            ("steps[0].config.source.integration", "Integration in Source must be set.", "pick")
        ]

    def test_an_unknown_setting_is_named_with_its_step(self, ana: Actor) -> None:
        document = {"name": "Extra", "trigger": {"type": "manual"}, "steps": [pick({"source": "all", "colour": "red"})]}
        workflow_id = ana.post("/workflows", document).json()["id"]
        found = ana.get(f"/workflows/{workflow_id}/issues").json()
        assert issues_of(found) == [("steps[0].config.colour", "Unknown setting 'colour' in step 'pick'.", "pick")]

    def test_a_refused_request_body_says_sentences(self, ana: Actor) -> None:
        """A body the route's model refuses: each field named, in words, at its `body.` path."""
        answer = assert_problem(ana.post("/workflows", {"nam": "x"}), 422)
        messages = {(issue["path"], issue["message"]) for issue in answer["errors"]}
        assert ("name", "Name must be set.") in messages
        assert ("nam", "Unknown setting 'nam' in the workflow.") in messages
        assert not any(NOISE.search(message) for _, message in messages)


class TestEveryIssueAtOnce:
    def test_a_draft_with_a_broken_trigger_is_refused_listing_the_steps_issues_too(self, ana: Actor) -> None:
        """The trigger's cron cannot fire, and a step has its own problem: the refusal lists both, the draft is
        kept as it was."""
        good = {
            "name": "Both",
            "trigger": {"type": "schedule", "cron": "0 2 * * *", "timezone": "UTC"},
            "steps": [pick({"source": "all"})],
        }
        workflow_id = ana.post("/workflows", good).json()["id"]
        broken = {
            **good,
            "trigger": {**good["trigger"], "cron": "61 2 * * *"},
            "steps": [pick({"source": {"integration": ""}})],
        }
        answer = assert_problem(ana.put(f"/workflows/{workflow_id}/draft", broken), 422)
        found = issues_of(answer, "errors")
        assert [path for path, _, _ in found] == ["trigger.cron", "steps[0].config.source.integration"]
        assert found[0][1].startswith("'61 2 * * *' is not a valid cron expression")
        assert (found[0][2], found[1][2]) == ("trigger", "pick")
        assert found[1][1] == "Integration in Source must be set."
        assert ana.get(f"/workflows/{workflow_id}/draft").json()["trigger"]["cron"] == "0 2 * * *"

    def test_a_broken_trigger_does_not_say_the_trigger_is_missing(self, ana: Actor) -> None:
        """The rest of the document is checked with the trigger's type kept: no "Select a trigger", and a sync
        trigger still feeds its first step."""
        good = {"name": "Sync", "trigger": {"type": "sync_completed"}, "steps": [pick({"source": "trigger"})]}
        workflow_id = ana.post("/workflows", good).json()["id"]
        broken = {**good, "trigger": {"type": "sync_completed", "daily": "02:00"}}
        answer = assert_problem(ana.put(f"/workflows/{workflow_id}/draft", broken), 422)
        assert issues_of(answer, "errors") == [
            ("trigger", "a sync_completed trigger takes no schedule fields", "trigger")
        ]


class TestPipelines:
    def test_a_range_upside_down_names_the_criterion_by_its_title(self, ana: Actor) -> None:
        criterion = {"kind": "measure_range", "name": "turns_ok", "title": "Enough turns", "measure": "turns"}
        answer = assert_problem(
            ana.post("/pipelines", {"name": "range", "scorecard": [{**criterion, "min": 9, "max": 3}]}), 422
        )
        assert [(issue["path"], issue["message"]) for issue in answer["errors"]] == [
            ("scorecard[0]", "Criterion 'Enough turns': the minimum must not be above the maximum.")
        ]

    def test_a_criterion_field_keeps_its_form_path(self, ana: Actor) -> None:
        """The criterion's kind is not in the path (the editor puts the error on its field)."""
        answer = assert_problem(
            ana.post(
                "/pipelines", {"name": "phr", "scorecard": [{"kind": "phrase_said", "name": "hi", "phrases": []}]}
            ),
            422,
        )
        assert [(issue["path"], issue["message"]) for issue in answer["errors"]] == [
            ("scorecard[0].phrases", "Phrases in criterion 'hi' must have at least one entry.")
        ]


def test_a_request_its_route_refuses_says_sentences_at_body_paths(client: TestClient) -> None:
    """A body the route's own model refuses (sign-in without a password, with a stray key): each field named."""
    answer = assert_problem(client.post("/api/auth/login", json={"email": "a@example.com", "pasword": "x"}), 422)
    messages = {(issue["path"], issue["message"]) for issue in answer["errors"]}
    assert ("body.password", "Password must be set.") in messages
    assert not any(NOISE.search(message) for _, message in messages)
