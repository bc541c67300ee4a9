"""Data-access rules as the store holds them: a user's, and the rules a workflow's runs act with (its creator's)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from redflare.adapters.db.orm import User, Workflow
from redflare.domain.access import EVERYTHING, AccessRules

NOTHING = AccessRules(frozenset(), frozenset(), frozenset())


class RulesRow(Protocol):
    """A user's rule columns: a `User`, or a Core row of them."""

    @property
    def integrations(self) -> list[str] | None: ...
    @property
    def teams(self) -> list[str] | None: ...
    @property
    def agents(self) -> list[str] | None: ...


def user_rules(user: RulesRow) -> AccessRules:
    """A user's rules: each of integrations, teams and agents limited to a list, or (None) not limited."""

    def frozen(values: list[str] | None) -> frozenset[str] | None:
        return None if values is None else frozenset(values)

    return AccessRules(frozen(user.integrations), frozen(user.teams), frozen(user.agents))


def creator_rules(session: Session, workflow: Workflow) -> AccessRules:
    """The rules a workflow's runs act with: its creator's now (everything, for workflows made before users
    existed; nothing, once the creator is gone)."""
    creator = None if workflow.created_by is None else session.get(User, workflow.created_by)
    return rules_of_creator(workflow.created_by, creator)


def rules_of_creator(created_by: str | None, creator: RulesRow | None) -> AccessRules:
    """`creator_rules` from what was read: who made the workflow, and that user's rules (None: no such user)."""
    if created_by is None:
        return EVERYTHING
    return user_rules(creator) if creator is not None else NOTHING
