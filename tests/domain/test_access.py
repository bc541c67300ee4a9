"""Data-access rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.access import AccessRules

names = st.one_of(st.none(), st.frozensets(st.sampled_from(["a", "b", "c"])))
rules = st.builds(AccessRules, names, names, names)


class TestCovers:
    def test_all_covers_anything_and_none_covers_only_none(self) -> None:
        """Unrestricted rules cover every rule; a user limited to team A does not cover an unrestricted creator."""
        limited = AccessRules(teams=frozenset({"A"}))
        assert AccessRules().covers(limited)
        assert not limited.covers(AccessRules())
        assert limited.covers(AccessRules(teams=frozenset({"A"}), agents=frozenset({"x"})))

    @given(
        rules,
        rules,
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["a", "b", "c"]),
        st.sampled_from(["a", "b", "c"]),
    )
    def test_covering_rules_allow_whatever_the_covered_allow(
        self, mine: AccessRules, theirs: AccessRules, integration: str, team: str, agent: str
    ) -> None:
        """If my rules cover yours, any conversation you may see I may see."""
        if mine.covers(theirs) and theirs.allows(integration=integration, team=team, agent=agent):
            assert mine.allows(integration=integration, team=team, agent=agent)
