"""Distribute: counts, percentage, rules and round-robin splits, balance_by, seeds, validation."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from typing import Any, ClassVar

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from redflare.domain.columns import BASE_COLUMNS, GROUP_COLUMN
from redflare.domain.conditions import ColumnKind
from redflare.domain.errors import StepError
from redflare.domain.loading import issues_from_validation_error
from redflare.domain.validation import Environment, StepSpec, validate
from redflare.domain.workflow import WorkflowDocument
from redflare.steps import select_conversations, sort
from redflare.steps.distribute import (
    KIND,
    UNASSIGNED,
    Config,
    apply_distribute,
    columns_of,
    execute,
    group_sizes,
    ports_of,
)
from tests.sets.test_allocation import hamilton

Data = dict[str, Any]
G3 = [{"name": "A", "share": 50}, {"name": "B", "share": 30}, {"name": "C", "share": 20}]


def conversations(n: int, **columns: list[Any] | pl.Series) -> pl.DataFrame:
    """A set of n conversations with ids c0, c1, … and the given extra columns."""
    return pl.DataFrame({"id": [f"c{i}" for i in range(n)], **columns})


def split(frame: pl.DataFrame, data: Data) -> dict[str, list[str]]:
    """Ids per group, in output order."""
    return {name: part["id"].to_list() for name, part in apply_distribute(frame, Config.model_validate(data)).items()}


def sizes(frame: pl.DataFrame, data: Data) -> dict[str, int]:
    return {name: len(ids) for name, ids in split(frame, data).items()}


def error_paths(data: Data) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(data)
    return sorted(issue.path for issue in issues_from_validation_error(caught.value))


def when(field: str, operator: str, value: Any = None) -> Data:
    return {"combinator": "and", "rules": [{"field": field, "operator": operator, "value": value}]}


class TestConfigValidation:
    def test_example_from_the_spec_is_valid(self) -> None:
        """The appendix's 50/30/20 split parses, its groups becoming the step's ports."""
        assert ports_of(Config.model_validate({"mode": "percentage", "groups": G3})) == ["A", "B", "C"]

    def test_counts_need_a_count_on_every_group_but_the_rest_one(self) -> None:
        """ "10 to A, ? to B": B is told it needs a count."""
        data = {"mode": "counts", "groups": [{"name": "A", "count": 10}, {"name": "B"}, {"name": "C", "rest": True}]}
        assert error_paths(data) == ["groups[1].count"]

    def test_only_one_group_takes_the_rest_and_it_has_no_count(self) -> None:
        """A second rest group, and a rest group with a count, are each reported at their field."""
        groups = [{"name": "A", "rest": True, "count": 3}, {"name": "B", "rest": True}]
        assert error_paths({"mode": "counts", "groups": groups}) == ["groups[0].count", "groups[1].rest"]

    def test_shares_must_add_up_to_100(self) -> None:
        """50/30/10 is refused at the groups, saying what they add up to."""
        groups = [{"name": "A", "share": 50}, {"name": "B", "share": 30}, {"name": "C", "share": 10}]
        with pytest.raises(ValidationError, match="shares add up to 90, not 100"):
            Config.model_validate({"mode": "percentage", "groups": groups})
        assert error_paths({"mode": "percentage", "groups": groups}) == ["groups"]

    def test_shares_tolerate_float_error(self) -> None:
        """Decimal shares that add up to 100 on paper are accepted though floats miss by a hair."""
        shares = [0.1, 64.1, 35.8]
        assert sum(shares) != 100  # the float sum really is off
        groups = [{"name": str(i), "share": share} for i, share in enumerate(shares)]
        assert len(Config.model_validate({"mode": "percentage", "groups": groups}).groups) == 3

    def test_shares_must_be_given_and_positive(self) -> None:
        """A missing or zero share is reported on its group."""
        missing = [{"name": "A"}, {"name": "B", "share": 100}]
        assert error_paths({"mode": "percentage", "groups": missing}) == ["groups[0].share"]
        zero = [{"name": "A", "share": 0}, {"name": "B", "share": 100}]
        assert error_paths({"mode": "percentage", "groups": zero}) == ["groups[0].share"]

    def test_group_names_are_unique_ignoring_case(self) -> None:
        """Two groups called "Reviewer A" and "reviewer a" would be confused: the second is refused."""
        groups = [{"name": "Reviewer A"}, {"name": "reviewer a"}]
        assert error_paths({"mode": "round_robin", "groups": groups}) == ["groups[1].name"]

    @pytest.mark.parametrize("name", ["", " A", "A ", "x" * 65, "unassigned", "Unassigned"])
    def test_bad_group_names_are_refused(self, name: str) -> None:
        """Empty, padded, over-long or reserved names are refused at the name."""
        assert error_paths({"mode": "round_robin", "groups": [{"name": name}]}) == ["groups[0].name"]

    def test_at_least_one_group(self) -> None:
        """A split into nothing is refused."""
        assert error_paths({"mode": "round_robin", "groups": []}) == ["groups"]

    def test_rules_need_a_condition_except_on_the_otherwise_group(self) -> None:
        """Every rule group has a condition; the otherwise group has none and must exist."""
        groups = [{"name": "Low"}, {"name": "Rest", "condition": when("score", "<", 50)}]
        assert error_paths({"mode": "rules", "groups": groups, "otherwise": "Rest"}) == [
            "groups[0].condition",
            "groups[1].condition",
        ]
        groups = [{"name": "Low", "condition": when("score", "<", 50)}]
        assert error_paths({"mode": "rules", "groups": groups, "otherwise": "Other"}) == ["otherwise"]

    def test_rules_take_no_balance_and_no_seed(self) -> None:
        """Rules decide every row's group, so balance_by and seed are refused instead of ignored."""
        groups = [{"name": "Low", "condition": when("score", "<", 50)}]
        data = {"mode": "rules", "groups": groups, "balance_by": "agent", "seed": 1}
        assert error_paths(data) == ["balance_by", "seed"]

    def test_fields_of_another_mode_are_refused(self) -> None:
        """A count in percentage mode, or otherwise outside rules mode, would silently do nothing."""
        groups = [{"name": "A", "share": 100, "count": 5}]
        assert error_paths({"mode": "percentage", "groups": groups, "otherwise": "A"}) == [
            "groups[0].count",
            "otherwise",
        ]

    def test_unknown_keys_are_errors(self) -> None:
        """A misspelt key is an error at its path, as everywhere in the workflow file."""
        assert error_paths({"mode": "round_robin", "groups": [{"name": "A", "wieght": 2}]}) == ["groups[0].wieght"]

    def test_every_field_has_title_description_and_helper(self) -> None:
        """The side panel can label and explain every field, including each group's."""
        schema = KIND.json_schema()
        models = [schema, schema["$defs"]["GroupConfig"]]
        fields = [field for model in models for field in model["properties"].values()]
        assert len(fields) == 10
        for field in fields:
            assert field.get("title")
            assert field.get("description")
            assert field.get("helper")

    def test_issues_point_into_the_workflow(self) -> None:
        """In a workflow, a bad count and a rule on an unknown column are issues on the step."""
        document = WorkflowDocument.model_validate(
            {
                "name": "Split",
                "trigger": {"type": "manual"},
                "steps": [
                    {"id": "pick", "type": "select_conversations", "config": {}},
                    {
                        "id": "split",
                        "type": "distribute",
                        "after": ["pick"],
                        "config": {"mode": "rules", "groups": [{"name": "A", "condition": when("mood", "=", "x")}]},
                    },
                    {
                        "id": "deal",
                        "type": "distribute",
                        "after": ["pick"],
                        "config": {"mode": "counts", "groups": [{"name": "A", "count": -1}]},
                    },
                ],
            }
        )
        specs: dict[str, StepSpec] = {"select_conversations": select_conversations.KIND, "distribute": KIND}
        issues = validate(document, specs)
        assert sorted((issue.path, issue.node) for issue in issues) == [
            ("steps[1].config.groups[0].condition.rules[0].field", "split"),
            ("steps[2].config.groups[0].count", "deal"),
        ]


class TestColumnsOf:
    def test_adds_the_group_column(self) -> None:
        """Downstream steps can filter or export on `group`; the other columns pass through."""
        columns, problems = columns_of(
            Config.model_validate({"mode": "percentage", "groups": G3}), BASE_COLUMNS, Environment()
        )
        assert (dict(columns), problems) == ({**BASE_COLUMNS, GROUP_COLUMN: ColumnKind.TEXT}, [])

    def test_balance_by_must_be_a_known_plain_column(self) -> None:
        """Balancing by a missing column, or by the tags list, is a publish-time issue."""
        for column, message in [("mood", "unknown column 'mood'"), ("tags", "cannot balance by list column 'tags'")]:
            data = {"mode": "round_robin", "groups": [{"name": "A"}], "balance_by": column}
            _, problems = columns_of(Config.model_validate(data), BASE_COLUMNS, Environment())
            assert problems == [("balance_by", message)]

    def test_rule_conditions_are_checked_with_their_paths(self) -> None:
        """A rule on a column the set lacks is reported inside the group's condition."""
        groups = [
            {"name": "A", "condition": when("agent", "=", "x")},
            {"name": "B", "condition": when("score", "<", 5)},
        ]
        _, problems = columns_of(
            Config.model_validate({"mode": "rules", "groups": groups}), BASE_COLUMNS, Environment()
        )
        assert problems == [("groups[1].condition.rules[0].field", "unknown column 'score'")]


class TestCounts:
    def test_ten_to_a_ten_to_b_rest_to_c(self) -> None:
        """The spec's example: the first 10 rows to A, the next 10 to B, everything else to C."""
        ids = [f"c{i}" for i in range(25)]
        groups = [{"name": "A", "count": 10}, {"name": "B", "count": 10}, {"name": "C", "rest": True}]
        assert split(conversations(25), {"mode": "counts", "groups": groups}) == {
            "A": ids[:10],
            "B": ids[10:20],
            "C": ids[20:],
        }

    def test_rest_group_takes_the_leftovers_wherever_it_is_listed(self) -> None:
        """Listing the rest group first does not let it jump the queue."""
        groups = [{"name": "Rest", "rest": True}, {"name": "A", "count": 2}]
        assert split(conversations(5), {"mode": "counts", "groups": groups}) == {
            "Rest": ["c2", "c3", "c4"],
            "A": ["c0", "c1"],
        }

    def test_without_a_rest_group_leftovers_go_nowhere(self) -> None:
        """Rows past the counts leave through no port and are tallied as unassigned."""
        groups = [{"name": "A", "count": 3}, {"name": "B", "count": 1}]
        result = execute(None, Config.model_validate({"mode": "counts", "groups": groups}), conversations(10))  # type: ignore[arg-type]
        assert result.tally == {"A": 3, "B": 1, UNASSIGNED: 6}

    def test_groups_short_of_rows_get_what_is_left(self) -> None:
        """15 conversations for "10 to A, 10 to B": A gets 10, B the remaining 5, C nothing."""
        groups = [{"name": "A", "count": 10}, {"name": "B", "count": 10}, {"name": "C", "rest": True}]
        assert sizes(conversations(15), {"mode": "counts", "groups": groups}) == {"A": 10, "B": 5, "C": 0}

    def test_after_a_sort_the_worst_go_to_the_first_group(self) -> None:
        """Sort by score, then "3 to A": A reviews the three lowest scores."""
        scores = [70.0, 12.0, 55.0, 90.0, 31.0, 8.0]
        frame = conversations(6, score=scores)
        worst = sort.apply_sort(frame, sort.Config.model_validate({"by": [{"field": "score"}]}))
        groups = [{"name": "A", "count": 3}, {"name": "B", "rest": True}]
        result = split(worst, {"mode": "counts", "groups": groups})
        lowest = sorted(range(6), key=lambda i: scores[i])[:3]
        assert set(result["A"]) == {f"c{i}" for i in lowest}


class TestPercentage:
    def test_seven_rows_fifty_thirty_twenty(self) -> None:
        """7 rows at 50/30/20 are rounded by largest remainder, in blocks in input order."""
        expected = hamilton(7, [Decimal(50), Decimal(30), Decimal(20)])
        result = split(conversations(7), {"mode": "percentage", "groups": G3})
        assert expected == [len(result[name]) for name in "ABC"]
        ids = [f"c{i}" for i in range(7)]
        assert result["A"] + result["B"] + result["C"] == ids

    def test_seed_shuffles_before_splitting(self) -> None:
        """With a seed, groups get a random, repeatable sample instead of consecutive blocks."""
        frame = conversations(100)
        data = {"mode": "percentage", "groups": G3, "seed": 42}
        first, again = split(frame, data), split(frame, data)
        assert first == again
        assert {name: len(ids) for name, ids in first.items()} == sizes(frame, {"mode": "percentage", "groups": G3})
        assert first["A"] != [f"c{i}" for i in range(50)]
        assert first != split(frame, {**data, "seed": 43})


class TestRules:
    frame = conversations(
        6,
        score=[30.0, 80.0, None, 45.0, 95.0, 20.0],
        channel=["call", "chat", "call", "chat", "email", "call"],
    )
    groups: ClassVar[list[Data]] = [
        {"name": "Low score", "condition": when("score", "<", 50)},
        {"name": "Calls", "condition": when("channel", "=", "call")},
        {"name": "Other"},
    ]

    def test_first_matching_group_wins_and_otherwise_takes_the_rest(self) -> None:
        """A low-scoring call goes to "Low score" (listed first); unmatched rows go to "Other"."""
        result = split(self.frame, {"mode": "rules", "groups": self.groups, "otherwise": "Other"})
        assert result == {"Low score": ["c0", "c3", "c5"], "Calls": ["c2"], "Other": ["c1", "c4"]}

    def test_without_otherwise_unmatched_rows_go_nowhere(self) -> None:
        """Rows no rule matches are tallied as unassigned when there is no otherwise group."""
        data = {"mode": "rules", "groups": self.groups[:2]}
        result = execute(None, Config.model_validate(data), self.frame)  # type: ignore[arg-type]
        assert result.tally == {"Low score": 3, "Calls": 1, UNASSIGNED: 2}

    def test_a_rule_on_a_missing_column_fails_the_step(self) -> None:
        """At run time a condition on a column the set lacks is an error naming its path."""
        data = {"mode": "rules", "groups": [{"name": "A", "condition": when("mood", "=", "angry")}]}
        with pytest.raises(StepError, match=r"groups\[0\]\.condition\.rules\[0\]\.field: unknown column 'mood'"):
            apply_distribute(self.frame, Config.model_validate(data))


class TestRoundRobin:
    def test_row_i_goes_to_group_i_mod_k(self) -> None:
        """Conversations are dealt like cards: A, B, C, A, B, C, A."""
        result = split(conversations(7), {"mode": "round_robin", "groups": [{"name": n} for n in "ABC"]})
        assert result == {name: [f"c{i}" for i in range(7) if i % 3 == g] for g, name in enumerate("ABC")}

    def test_seed_deals_a_shuffled_deck(self) -> None:
        """With a seed the sizes stay those of the deal, the cards differ, and repeat with the seed."""
        groups = [{"name": n} for n in "AB"]
        plain = split(conversations(11), {"mode": "round_robin", "groups": groups})
        seeded = split(conversations(11), {"mode": "round_robin", "groups": groups, "seed": 5})
        assert {k: len(v) for k, v in plain.items()} == {k: len(v) for k, v in seeded.items()}
        assert plain != seeded
        assert seeded == split(conversations(11), {"mode": "round_robin", "groups": groups, "seed": 5})

    def test_the_shuffle_is_the_documented_one(self) -> None:
        """The seeded order is rows sorted by little-endian 64-bit keys from random.Random(seed): stable forever."""
        n, seed = 50, 2024
        stream = random.Random(seed).randbytes(8 * n)
        keys = [int.from_bytes(stream[8 * i : 8 * i + 8], "little") for i in range(n)]
        shuffled = sorted(range(n), key=lambda i: (keys[i], i))
        groups = [{"name": n} for n in "ABC"]
        expected = {
            name: sorted(f"c{row}" for p, row in enumerate(shuffled) if p % 3 == g) for g, name in enumerate("ABC")
        }
        result = split(conversations(n), {"mode": "round_robin", "groups": groups, "seed": seed})
        assert expected == {name: sorted(ids) for name, ids in result.items()}


class TestBalanceBy:
    def test_each_reviewer_gets_a_fair_mix_of_agents(self) -> None:
        """Sorted by agent, a plain 50/50 split gives A the first agents; balanced, each gets half of each."""
        agents = [agent for agent in "wxyz" for _ in range(10)]
        frame = conversations(40, agent=agents)
        data = {"mode": "percentage", "groups": [{"name": "A", "share": 50}, {"name": "B", "share": 50}]}
        plain = apply_distribute(frame, Config.model_validate(data))
        assert set(plain["A"]["agent"].to_list()) == {"w", "x"}
        balanced = apply_distribute(frame, Config.model_validate({**data, "balance_by": "agent"}))
        for part in balanced.values():
            assert Counter(part["agent"].to_list()) == dict.fromkeys("wxyz", 5)

    def test_within_an_agent_a_group_gets_rows_from_the_whole_ranking(self) -> None:
        """After a sort, balancing does not hand one reviewer only the worst calls of each agent."""
        frame = conversations(20, agent=["x"] * 20)
        data = {"mode": "round_robin", "groups": [{"name": "A"}, {"name": "B"}], "balance_by": "agent"}
        for ids in split(frame, data).values():
            positions = [int(i[1:]) for i in ids]
            assert min(positions) < 5
            assert max(positions) >= 15

    def test_a_small_group_gets_rows_spread_over_the_stratum(self) -> None:
        """80/20 of one agent's 10 sorted calls: the 20% group gets one from each half, not two neighbours."""
        frame = conversations(10, agent=["x"] * 10)
        groups = [{"name": "A", "share": 80}, {"name": "B", "share": 20}]
        small = split(frame, {"mode": "percentage", "groups": groups, "balance_by": "agent"})["B"]
        assert sorted(int(i[1:]) // 5 for i in small) == [0, 1]

    def test_counts_keep_their_rows_and_only_mix_who_gets_them(self) -> None:
        """Balanced "4 to A, 4 to B" still hands out the first 8 rows, and each agent is split evenly."""
        frame = conversations(12, agent=["x", "x", "x", "x", "y", "y", "y", "y", "z", "z", "z", "z"])
        groups = [{"name": "A", "count": 4}, {"name": "B", "count": 4}]
        result = split(frame, {"mode": "counts", "groups": groups, "balance_by": "agent"})
        assert sorted(result["A"] + result["B"], key=lambda i: int(i[1:])) == [f"c{i}" for i in range(8)]
        assert all(
            Counter(frame.filter(pl.col("id").is_in(ids))["agent"].to_list()) == {"x": 2, "y": 2}
            for ids in result.values()
        )

    def test_missing_values_form_their_own_stratum(self) -> None:
        """Conversations without an agent are shared out like any agent's."""
        frame = conversations(8, agent=[None, None, None, None, "x", "x", "x", "x"])
        data = {"mode": "round_robin", "groups": [{"name": "A"}, {"name": "B"}], "balance_by": "agent"}
        for part in apply_distribute(frame, Config.model_validate(data)).values():
            assert part["agent"].null_count() == 2

    def test_a_missing_column_at_run_time_fails_the_step(self) -> None:
        """Balancing by a column the set lacks is an error, never a silent plain split."""
        data = {"mode": "round_robin", "groups": [{"name": "A"}], "balance_by": "agent"}
        with pytest.raises(StepError, match="balance_by: unknown column 'agent'"):
            apply_distribute(conversations(3), Config.model_validate(data))

    @settings(max_examples=150, deadline=None)
    @given(data=st.data())
    def test_every_stratum_is_split_within_one_of_its_share(self, data: st.DataObject) -> None:
        """Per agent, each group's count is its proportional share rounded down or up — for any sizes."""
        config = data.draw(configs(modes=("counts", "percentage", "round_robin")))
        frame = data.draw(frames())
        balanced = Config.model_validate({**config, "balance_by": "agent"})
        result = apply_distribute(frame, balanced)
        plain = apply_distribute(frame, Config.model_validate(config))
        assert {k: v.height for k, v in result.items()} == {k: v.height for k, v in plain.items()}
        assert _assigned_ids(result) == _assigned_ids(plain)
        assigned = pl.concat(list(result.values()))
        total = assigned.height
        per_stratum = Counter(assigned["agent"].to_list())
        for name, part in result.items():
            counts = Counter(part["agent"].to_list())
            for agent, stratum_size in per_stratum.items():
                share = Decimal(stratum_size * part.height) / total
                assert math.floor(share) <= counts[agent] <= math.floor(share) + 1, (name, agent)

    def test_skewed_shares_over_many_groups_stay_fair(self) -> None:
        """91% to one group and 1% to nine others: even a 9-conversation agent gets its ~8 to the big group."""
        groups = [{"name": "Big", "share": 91}] + [{"name": f"S{i}", "share": 1} for i in range(9)]
        agents = [f"a{i % 11}" for i in range(100)]
        frame = conversations(100, agent=agents)
        result = apply_distribute(
            frame, Config.model_validate({"mode": "percentage", "groups": groups, "balance_by": "agent"})
        )
        per_agent = Counter(agents)
        big = Counter(result["Big"]["agent"].to_list())
        for agent, size in per_agent.items():
            assert abs(big[agent] - size * 0.91) <= 1


def _assigned_ids(outputs: dict[str, pl.DataFrame]) -> set[str]:
    return {i for part in outputs.values() for i in part["id"].to_list()}


@st.composite
def configs(draw: st.DrawFn, modes: tuple[str, ...] = ("counts", "percentage", "round_robin", "rules")) -> Data:
    """A valid Distribute config of any mode, with 1–6 groups."""
    mode = draw(st.sampled_from(modes))
    k = draw(st.integers(1, 6))
    names = [f"G{i}" for i in range(k)]
    seed = draw(st.none() | st.integers(0, 2**32))
    if mode == "counts":
        rest = draw(st.none() | st.integers(0, k - 1))
        groups: list[Data] = [
            {"name": n, "rest": True} if g == rest else {"name": n, "count": draw(st.integers(0, 30))}
            for g, n in enumerate(names)
        ]
    elif mode == "percentage":
        cuts = sorted(draw(st.lists(st.integers(1, 999), min_size=k - 1, max_size=k - 1, unique=True)))
        points = [0, *cuts, 1000]
        groups = [{"name": n, "share": (b - a) / 10} for n, a, b in zip(names, points, points[1:], strict=False)]
    elif mode == "rules":
        values = st.sampled_from(["a", "b", "c", "d"])
        groups = [{"name": n, "condition": when("agent", "=", draw(values))} for n in names]
        if draw(st.booleans()):
            groups.append({"name": "Other"})
            return {"mode": mode, "groups": groups, "otherwise": "Other"}
        return {"mode": mode, "groups": groups}
    else:
        groups = [{"name": n} for n in names]
    return {"mode": mode, "groups": groups, "seed": seed}


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    """Conversations with a few agents (some missing), in any order."""
    agents = draw(st.lists(st.none() | st.sampled_from(["a", "b", "c", "d"]), max_size=120))
    return conversations(len(agents), agent=pl.Series(agents, dtype=pl.String))


class TestAnySplit:
    @settings(max_examples=200, deadline=None)
    @given(config=configs(), frame=frames(), balance=st.booleans())
    def test_no_row_is_lost_or_duplicated(self, config: Data, frame: pl.DataFrame, balance: bool) -> None:
        """Every group is a port; together they hold each input row at most once, tagged and in input order."""
        if balance and config["mode"] != "rules":
            config = {**config, "balance_by": "agent"}
        parsed = Config.model_validate(config)
        outputs = apply_distribute(frame, parsed)
        assert list(outputs) == ports_of(parsed)
        ids = [i for part in outputs.values() for i in part["id"].to_list()]
        assert len(ids) == len(set(ids))
        assert set(ids) <= set(frame["id"].to_list())
        order = {i: n for n, i in enumerate(frame["id"].to_list())}
        for name, part in outputs.items():
            assert part[GROUP_COLUMN].to_list() == [name] * part.height
            assert [order[i] for i in part["id"].to_list()] == sorted(order[i] for i in part["id"].to_list())
            assert part.drop(GROUP_COLUMN).columns == frame.columns
        if parsed.mode.value != "rules":
            assert [part.height for part in outputs.values()] == group_sizes(parsed, frame.height)
        if (
            parsed.mode.value in ("percentage", "round_robin")
            or parsed.otherwise is not None
            or any(g.rest for g in parsed.groups)
        ):
            assert set(ids) == set(frame["id"].to_list())

    @settings(max_examples=100, deadline=None)
    @given(config=configs(modes=("counts", "percentage", "round_robin")), frame=frames())
    def test_tally_counts_every_row_once(self, config: Data, frame: pl.DataFrame) -> None:
        """The step's tally: rows per group plus unassigned make the input count."""
        result = execute(None, Config.model_validate(config), frame)  # type: ignore[arg-type]
        assert sum(result.tally.values()) == frame.height
        assert {k: v for k, v in result.tally.items() if k != UNASSIGNED} == {
            k: v.height for k, v in result.outputs.items()
        }

    def test_empty_input_gives_every_port_an_empty_tagged_set(self) -> None:
        """With nothing to split, every group still has its (empty) output with the group column."""
        empty = conversations(0, agent=pl.Series([], dtype=pl.String))
        for mode_config in ({"mode": "percentage", "groups": G3, "balance_by": "agent", "seed": 3},):
            outputs = apply_distribute(empty, Config.model_validate(mode_config))
            assert list(outputs) == ["A", "B", "C"]
            assert all(part.height == 0 and part.schema[GROUP_COLUMN] == pl.String() for part in outputs.values())
        result = execute(None, Config.model_validate({"mode": "round_robin", "groups": [{"name": "A"}]}), None)  # type: ignore[arg-type]
        assert (list(result.outputs), result.tally) == (["A"], {"A": 0, UNASSIGNED: 0})

    def test_an_existing_group_column_is_replaced(self) -> None:
        """Distributing an already distributed set retags its rows with the new groups."""
        frame = conversations(2, group=["old", "old"])
        outputs = apply_distribute(frame, Config.model_validate({"mode": "round_robin", "groups": [{"name": "New"}]}))
        assert outputs["New"][GROUP_COLUMN].to_list() == ["New", "New"]

    def test_same_split_in_another_process(self) -> None:
        """A seeded, balanced split comes out the same in a fresh process with another hash seed."""
        config = {"mode": "percentage", "groups": G3, "seed": 9, "balance_by": "agent"}
        script = (
            "import json, polars as pl\n"
            "from redflare.steps.distribute import Config, apply_distribute\n"
            "f = pl.DataFrame({'id': [f'c{i}' for i in range(300)], 'agent': [f'a{i % 7}' for i in range(300)]})\n"
            f"c = Config.model_validate({json.dumps(config)})\n"
            "print(json.dumps({k: v['id'].to_list() for k, v in apply_distribute(f, c).items()}))\n"
        )
        runs = [
            subprocess.run(
                [sys.executable, "-c", script],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONHASHSEED": seed},
            ).stdout
            for seed in ("1", "2")
        ]
        assert runs[0] == runs[1]
        assert json.loads(runs[0])["A"] != [f"c{i}" for i in range(150)]
