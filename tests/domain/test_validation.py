"""Final checks: every issue, each pointing at its node."""

from __future__ import annotations

from typing import Any

from redflare.domain.errors import Issue
from redflare.domain.loading import document_from_data
from redflare.domain.validation import Environment, validate
from redflare.steps.registry import STEP_KINDS

ENV = Environment(pipelines={"default-qa": ["greeting", "closing"]}, integrations=frozenset({"demo"}))


def check(steps: list[dict[str, Any]], trigger: dict[str, Any] | None = None) -> list[Issue]:
    data: dict[str, Any] = {"name": "t", "steps": steps}
    data["trigger"] = trigger if trigger is not None else {"type": "manual"}
    return validate(document_from_data(data), STEP_KINDS, ENV)


def by_path(issues: list[Issue]) -> dict[str, Issue]:
    return {i.path: i for i in issues}


PICK = {"id": "pick", "type": "select_conversations", "config": {"source": {"integration": "demo"}}}
ANALYSE = {"id": "analyse", "type": "process_conversations", "after": ["pick"], "config": {"pipeline": "default-qa"}}


class TestValidate:
    def test_a_good_workflow_has_no_issues(self) -> None:
        """The appendix-A shape passes Final checks."""
        split = {
            "id": "split",
            "type": "distribute",
            "after": ["analyse"],
            "config": {"mode": "percentage", "groups": [{"name": "A", "share": 60}, {"name": "B", "share": 40}]},
        }
        low = {
            "id": "low",
            "type": "filter",
            "after": ["split.A"],
            "config": {"condition": {"rules": [{"field": "criterion.greeting", "operator": "=", "value": False}]}},
        }
        assert check([PICK, ANALYSE, split, low]) == []

    def test_no_trigger(self) -> None:
        """A workflow without a trigger says to select one."""
        issues = validate(document_from_data({"name": "t", "steps": [PICK]}), STEP_KINDS, ENV)
        assert [(i.path, i.node, i.message) for i in issues] == [
            ("trigger", "trigger", "Select a trigger to start a workflow")
        ]

    def test_missing_required_field(self) -> None:
        """A step without its required config is flagged at that field."""
        issues = by_path(check([PICK, {"id": "analyse", "type": "process_conversations", "after": ["pick"]}]))
        assert issues["steps[1].config.pipeline"].node == "analyse"

    def test_step_without_input(self) -> None:
        """A filter hanging off nothing has no input (unless a Sync Completed trigger feeds it)."""
        lonely = {"id": "lonely", "type": "filter", "config": {"condition": {"rules": []}}}
        assert "steps[1].after" in by_path(check([PICK, lonely]))
        assert "steps[1].after" not in by_path(check([PICK, lonely], {"type": "sync_completed"}))

    def test_cycle(self) -> None:
        """Steps that feed each other are a cycle, reported on each of them."""
        a = {"id": "a", "type": "sort", "after": ["b"], "config": {"by": [{"field": "id"}]}}
        b = {"id": "b", "type": "sort", "after": ["a"], "config": {"by": [{"field": "id"}]}}
        issues = check([PICK, a, b])
        cycle = [i for i in issues if "cycle" in i.message]
        assert {i.node for i in cycle} == {"a", "b"}

    def test_unknown_type_upstream_and_port(self) -> None:
        """Unknown step types, upstream ids and ports are each named."""
        split = {
            "id": "split",
            "type": "distribute",
            "after": ["pick"],
            "config": {"mode": "round_robin", "groups": [{"name": "A"}, {"name": "B"}]},
        }
        steps = [
            PICK,
            split,
            {"id": "x", "type": "teleport", "after": ["pick"]},
            {"id": "y", "type": "sort", "after": ["ghost"], "config": {"by": [{"field": "id"}]}},
            {"id": "z", "type": "sort", "after": ["split.C"], "config": {"by": [{"field": "id"}]}},
            {"id": "w", "type": "sort", "after": ["split"], "config": {"by": [{"field": "id"}]}},
        ]
        issues = by_path(check(steps))
        assert "unknown step type 'teleport'" in issues["steps[2].type"].message
        assert "unknown upstream step 'ghost'" in issues["steps[3].after[0]"].message
        assert "no output 'C'" in issues["steps[4].after[0]"].message
        assert "several outputs" in issues["steps[5].after[0]"].message

    def test_unknown_column_before_processing(self) -> None:
        """A score filter straight after Select (no processing yet) names the unknown column."""
        low = {
            "id": "low",
            "type": "filter",
            "after": ["pick"],
            "config": {"condition": {"rules": [{"field": "score", "operator": "<", "value": 70}]}},
        }
        issue = by_path(check([PICK, low]))["steps[1].config.condition.rules[0].field"]
        assert issue.node == "low"
        assert "score" in issue.message

    def test_unknown_pipeline_and_integration(self) -> None:
        """References to things that do not exist are issues."""
        pick = {"id": "pick", "type": "select_conversations", "config": {"source": {"integration": "elsewhere"}}}
        analyse = {"id": "analyse", "type": "process_conversations", "after": ["pick"], "config": {"pipeline": "gone"}}
        issues = by_path(check([pick, analyse]))
        assert "steps[0].config.source.integration" in issues
        assert "steps[1].config.pipeline" in issues

    def test_duplicate_ids(self) -> None:
        """Two steps with one id are flagged."""
        assert "steps[1].id" in by_path(check([PICK, dict(PICK)]))
