"""Each step kind's one-line summary on the canvas: what a user reads under the step's title.

Examples per kind (the issue's own among them), then properties: a summary never raises on any valid config, is
one line of at most `MAX_SUMMARY` characters, and Distribute's declared ports (`ports_from`, what the canvas draws
before the server answers) are always its real ones.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from redflare.domain.columns import ANALYSIS_COLUMNS, BASE_COLUMNS
from redflare.steps.base import StepKind
from redflare.steps.registry import STEP_KINDS
from redflare.steps.wording import MAX_SUMMARY
from tests.strategies import conditions

COLUMNS = {**BASE_COLUMNS, **ANALYSIS_COLUMNS}
LOW_SCORE_OR_NEGATIVE = {
    "combinator": "or",
    "rules": [
        {"field": "score", "operator": "<", "value": 70},
        {"field": "sentiment_label", "operator": "=", "value": "negative"},
    ],
}


def summary(kind: str, config: dict[str, Any]) -> str:
    step = STEP_KINDS[kind]
    return step.summary(step.parse(config))


@pytest.mark.parametrize(
    ("kind", "config", "expected"),
    [
        # Select Conversations
        (
            "select_conversations",
            {"source": {"integration": "clinic"}, "state": "unprocessed", "pipeline": "call-qa", "limit": 500},
            "Unprocessed · clinic · call-qa · at most 500",
        ),
        ("select_conversations", {}, "All conversations"),
        ("select_conversations", {"source": "trigger"}, "the trigger's conversations"),
        (
            "select_conversations",
            {"source": {"pipeline": "call-qa"}, "state": "processed", "order": "random", "limit": 20},
            "Processed · results of call-qa · random 20",
        ),
        (
            "select_conversations",
            {"source": "all", "filter": {"rules": [{"field": "team", "operator": "=", "value": "billing"}]}},
            "where team is billing",
        ),
        # Process Conversations
        ("process_conversations", {"pipeline": "call-qa"}, "call-qa"),
        ("process_conversations", {"pipeline": "call-qa", "reprocess": True}, "call-qa · analyse again"),
        # Filter
        ("filter", {"condition": LOW_SCORE_OR_NEGATIVE}, "score < 70 or sentiment_label is negative"),
        (
            "filter",
            {
                "condition": {
                    "rules": [
                        {"field": "agent", "operator": "in", "value": ["Dana", "Lee", "Sam", "Kim"]},
                        {"not": True, "rules": [{"field": "score", "operator": "between", "value": [40, 60.0]}]},
                        {"field": "customer", "operator": "null"},
                    ]
                }
            },
            "agent is one of Dana, Lee, Sam, … and not (score is between 40 and 60) and customer is empty",
        ),
        ("filter", {"condition": {"rules": []}}, "Keeps every conversation"),
        # Sort
        ("sort", {"by": [{"field": "score"}], "limit": 10}, "Top 10 by score ↑"),
        ("sort", {"by": [{"field": "agent"}, {"field": "score", "direction": "desc"}]}, "By agent ↑, score ↓"),
        # Distribute
        (
            "distribute",
            {
                "mode": "percentage",
                "groups": [{"name": "Reviewer A", "share": 50}, {"name": "Reviewer B", "share": 50}],
            },
            "Reviewer A 50% · Reviewer B 50%",
        ),
        (
            "distribute",
            {
                "mode": "counts",
                "groups": [{"name": "A", "count": 10}, {"name": "B", "rest": True}],
                "balance_by": "agent",
                "seed": 7,
            },
            "A 10 · B the rest · balanced by agent · shuffled",
        ),
        (
            "distribute",
            {
                "mode": "rules",
                "groups": [
                    {"name": "Urgent", "condition": {"rules": [{"field": "score", "operator": "<", "value": 50}]}},
                    {"name": "Normal"},
                ],
                "otherwise": "Normal",
            },
            "Urgent if score < 50 · Normal otherwise",
        ),
        ("distribute", {"mode": "round_robin", "groups": [{"name": "A"}, {"name": "B"}]}, "Round-robin: A, B"),
        # Send Alert
        (
            "send_alert",
            {"subject": "{{ input.count }} calls\nneed review", "message": "m", "recipients": ["qa@example.com"]},
            "To qa@example.com · “{{ input.count }} calls need review”",
        ),
        (
            "send_alert",
            {"subject": "Low scores", "message": "m", "recipients": ["a@example.com", "b@example.com"]},
            "To 2 recipients · “Low scores”",
        ),
        # Schedule Export
        (
            "schedule_export",
            {
                "name": "Weekly",
                "columns": ["id"],
                "file_type": "xlsx",
                "recipients": ["a@example.com", "b@example.com", "c@example.com"],
            },
            "Excel · 3 recipients",
        ),
        (
            "schedule_export",
            {"name": "Weekly", "columns": ["id"], "file_type": "csv", "recipients": ["a@example.com"]},
            "CSV · 1 recipient",
        ),
    ],
)
def test_summary_says_what_the_step_does(kind: str, config: dict[str, Any], expected: str) -> None:
    assert summary(kind, config) == expected


def test_every_kind_has_a_summary_an_icon_and_a_colour() -> None:
    """The canvas draws each of the seven kinds from this: none falls back to a blank line or a grey box."""
    assert len(STEP_KINDS) == 7
    for kind in STEP_KINDS.values():
        assert kind.summarize.__module__ == kind.execute.__module__, kind.type  # the kind's own file says it
        assert kind.look.icon.startswith("M"), kind.type
        assert kind.look.color != "gray", kind.type
    assert len({kind.look.color for kind in STEP_KINDS.values()}) == 7  # told apart on the minimap


def test_a_long_condition_is_cut_to_one_short_line() -> None:
    rules = [{"field": "agent", "operator": "=", "value": f"agent number {i}"} for i in range(40)]
    text = summary("filter", {"condition": {"rules": rules}})
    assert len(text) == MAX_SUMMARY
    assert text.endswith("…")
    assert text.startswith("agent is agent number 0 and")


# --- properties -----------------------------------------------------------------------------------------------

names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=64)
group_names = names.filter(lambda name: name == name.strip() and name.casefold() != "unassigned")
emails = st.sampled_from(["a@example.com", "b@example.org", "qa.team@example.net", "x@y.io"])
any_condition = conditions(COLUMNS, max_depth=3).map(lambda group: group.model_dump(mode="json", by_alias=True))


@st.composite
def distribute_configs(draw: st.DrawFn) -> dict[str, Any]:
    """Valid Distribute configs of every mode (random shares would almost never add up to 100)."""
    mode = draw(st.sampled_from(["counts", "percentage", "rules", "round_robin"]))
    labels = draw(st.lists(group_names, min_size=1, max_size=6, unique_by=str.casefold))
    config: dict[str, Any] = {"mode": mode}
    if mode == "counts":
        config["groups"] = [{"name": n, "count": draw(st.integers(0, 10**6))} for n in labels]
        if draw(st.booleans()):
            config["groups"][-1] = {"name": labels[-1], "rest": True}
    elif mode == "percentage":
        config["groups"] = [{"name": n, "share": 100 / len(labels)} for n in labels]
    elif mode == "rules":
        config["groups"] = [{"name": n, "condition": draw(any_condition)} for n in labels]
        if draw(st.booleans()):
            config["groups"][-1] = {"name": labels[-1]}
            config["otherwise"] = labels[-1]
    else:
        config["groups"] = [{"name": n} for n in labels]
    if mode != "rules":
        config["balance_by"] = draw(st.none() | names)
        config["seed"] = draw(st.none() | st.integers(0, 2**63 - 1))
    return config


configs: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "select_conversations": st.fixed_dictionaries(
        {},
        optional={
            "source": st.sampled_from(["all", "trigger"])
            | st.builds(lambda n: {"integration": n}, names)
            | st.builds(lambda n: {"pipeline": n}, names),
            "state": st.sampled_from(["processed", "unprocessed", "all"]),
            "pipeline": names,
            "any_version": st.booleans(),
            "filter": any_condition,
            "limit": st.integers(1, 1_000_000),
            "order": st.sampled_from(["newest", "oldest", "random"]),
            "seed": st.integers(-(2**31), 2**31),
        },
    ),
    "process_conversations": st.fixed_dictionaries(
        {"pipeline": names}, optional={"reprocess": st.booleans(), "batch_size": st.integers(1, 10_000)}
    ),
    "filter": st.fixed_dictionaries({"condition": any_condition}),
    "sort": st.fixed_dictionaries(
        {
            "by": st.lists(
                st.fixed_dictionaries({"field": names}, optional={"direction": st.sampled_from(["asc", "desc"])}),
                min_size=1,
                max_size=5,
            )
        },
        optional={"limit": st.integers(1, 10**9)},
    ),
    "distribute": distribute_configs(),
    "send_alert": st.fixed_dictionaries(
        {"subject": names, "message": names, "recipients": st.lists(emails, min_size=1, max_size=5)},
        optional={"only_when_not_empty": st.booleans()},
    ),
    "schedule_export": st.fixed_dictionaries(
        {
            "name": names,
            "columns": st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=5, unique=True),
            "file_type": st.sampled_from(["csv", "xlsx"]),
            "recipients": st.lists(emails, min_size=1, max_size=5),
        },
        optional={"only_when_not_empty": st.booleans()},
    ),
}


def valid(kind: StepKind[Any], data: dict[str, Any]) -> Any | None:
    try:
        return kind.parse(data)
    except ValidationError:
        return None


@pytest.mark.parametrize("kind_type", sorted(STEP_KINDS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_summary_never_raises_on_a_valid_config(kind_type: str, data: st.DataObject) -> None:
    """Any config the kind accepts gets a summary: one line, at most MAX_SUMMARY characters."""
    kind = STEP_KINDS[kind_type]
    config = valid(kind, data.draw(configs[kind_type]))
    assume(config is not None)  # not a config the kind accepts: the side panel shows its problems instead
    text = kind.summary(config)
    assert text
    assert "\n" not in text
    assert len(text) <= MAX_SUMMARY


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_declared_ports_are_the_real_ports(data: st.DataObject) -> None:
    """The canvas draws Distribute's ports from `ports_from` before the server answers: always the same ones."""
    kind = STEP_KINDS["distribute"]
    raw = data.draw(configs["distribute"])
    config = valid(kind, raw)
    assume(config is not None)
    rule = kind.ports_from
    assert rule is not None
    assert [item[rule.name_field] for item in raw[rule.list_field]] == kind.ports(config)
