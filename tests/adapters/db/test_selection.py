"""Select Conversations' query against a real store: sources, state, access rules, order, cap."""

from __future__ import annotations

from datetime import timedelta

import pytest

from redflare.adapters.db.selection import SqlConversationSource
from redflare.adapters.db.store import Store
from redflare.domain.access import AccessRules
from redflare.domain.conditions import Group
from redflare.steps.context import Selection
from tests.factories import AGENTS, PROCESS, SELECT_DEMO, T0, add_conversations, make_runner, workflow


@pytest.fixture
def source(store: Store) -> SqlConversationSource:
    add_conversations(store, 10, integration="demo", prefix="d")
    add_conversations(store, 4, integration="other", prefix="o")
    return SqlConversationSource(store.sessions)


def condition(**rule: object) -> Group:
    return Group.model_validate({"rules": [rule]})


class TestSelect:
    def test_integration_source(self, source: SqlConversationSource) -> None:
        """Only the chosen integration's conversations come back, with appendix-B columns."""
        frame = source.select(Selection(integration="demo"))
        assert frame.height == 10
        assert set(frame["integration"]) == {"demo"}
        assert frame.columns[:4] == ["id", "integration", "channel", "started_at"]

    def test_newest_first_and_cap(self, source: SqlConversationSource) -> None:
        """Newest first, and the cap keeps the newest N."""
        frame = source.select(Selection(integration="demo", limit=3, order="newest"))
        assert frame["id"].to_list() == ["d-00009", "d-00008", "d-00007"]
        oldest = source.select(Selection(integration="demo", limit=2, order="oldest"))
        assert oldest["started_at"].to_list() == [T0, T0 + timedelta(minutes=1)]

    def test_random_order_is_repeatable_with_a_seed(self, source: SqlConversationSource) -> None:
        """The same seed draws the same sample; another seed (almost surely) another."""
        draws = {
            seed: source.select(Selection(order="random", seed=seed, limit=5))["id"].to_list() for seed in (1, 1, 2)
        }
        assert draws[1] == source.select(Selection(order="random", seed=1, limit=5))["id"].to_list()
        assert len(draws[1]) == 5
        assert draws[1] != draws[2]

    def test_filter_pushed_down(self, source: SqlConversationSource) -> None:
        """The condition narrows the selection in the database."""
        frame = source.select(Selection(condition=condition(field="agent", operator="=", value=AGENTS[0])))
        assert set(frame["agent"]) == {AGENTS[0]}
        assert frame.height == 3 + 1  # ids 0,4,8 in demo and 0 in other

    def test_access_rules_hide_what_the_creator_may_not_see(self, source: SqlConversationSource) -> None:
        """A run never surfaces a conversation outside the creator's integrations, teams or agents."""
        rules = AccessRules(integrations=frozenset({"demo"}), teams=frozenset({"Billing"}))
        frame = source.select(Selection(access=rules))
        assert frame.height == 5
        assert set(frame["team"]) == {"Billing"}
        assert source.select(Selection(access=AccessRules(agents=frozenset()))).height == 0

    def test_trigger_ids(self, source: SqlConversationSource) -> None:
        """Source "trigger": exactly the conversations the firing gathered (and that exist)."""
        frame = source.select(Selection(conversation_ids=["d-00001", "o-00002", "missing"]))
        assert sorted(frame["id"].to_list()) == ["d-00001", "o-00002"]

    def test_processed_and_unprocessed(self, store: Store, source: SqlConversationSource) -> None:
        """State is relative to the pipeline's current version, and processed rows carry its columns."""
        runner = make_runner(store)
        capped = dict(SELECT_DEMO, config={"source": {"integration": "demo"}, "limit": 4})
        runner.run_document(workflow(capped, PROCESS))
        processed = source.select(Selection(pipeline="default-qa", state="processed", with_analysis=True))
        unprocessed = source.select(Selection(pipeline="default-qa", state="unprocessed"))
        assert processed.height == 4
        assert unprocessed.height == 10
        assert processed["score"].is_not_null().all()
        assert "criterion.greeting" in processed.columns

    def test_analysis_conditions_apply_after_the_join(self, store: Store, source: SqlConversationSource) -> None:
        """A condition on score selects among processed conversations."""
        make_runner(store).run_document(workflow(SELECT_DEMO, PROCESS))
        low = source.select(
            Selection(
                pipeline="default-qa",
                state="processed",
                with_analysis=True,
                condition=condition(field="score", operator="<", value=70),
            )
        )
        assert low.height > 0
        assert (low["score"] < 70).all()
