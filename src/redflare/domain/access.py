"""Data-access rules: which integrations, teams and agents' conversations a user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

TOKEN_TTL = timedelta(days=90)
"""How long an API token lasts unless whoever makes it says otherwise (the API's and the command line's default)."""


class Role(StrEnum):
    """What a user may do: admins manage users; editors build workflows; viewers read runs and exports."""

    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"

    @property
    def can_edit(self) -> bool:
        return self in (Role.ADMIN, Role.EDITOR)

    @property
    def can_administer(self) -> bool:
        return self is Role.ADMIN


@dataclass(frozen=True, slots=True)
class AccessRules:
    """`None` for a dimension means "all"; an empty set means "none"."""

    integrations: frozenset[str] | None = None
    teams: frozenset[str] | None = None
    agents: frozenset[str] | None = None

    @property
    def sees_everything(self) -> bool:
        return self.integrations is None and self.teams is None and self.agents is None

    def allows(self, *, integration: str, team: str | None, agent: str | None) -> bool:
        """Whether one conversation is visible under these rules (a missing team/agent is not a match)."""
        return (
            (self.integrations is None or integration in self.integrations)
            and (self.teams is None or team in self.teams)
            and (self.agents is None or agent in self.agents)
        )

    def covers(self, other: AccessRules) -> bool:
        """Whether everything `other` lets one see, these rules let one see too."""

        def wider(mine: frozenset[str] | None, theirs: frozenset[str] | None) -> bool:
            return mine is None or (theirs is not None and theirs <= mine)

        return (
            wider(self.integrations, other.integrations)
            and wider(self.teams, other.teams)
            and wider(self.agents, other.agents)
        )


EVERYTHING = AccessRules()
