"""Data-access rules as the store holds them: a user's, and the rules a workflow's runs act with (its creator's)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from redflare.adapters.db.orm import User, Workflow
from redflare.domain.access import EVERYTHING, AccessRules

NOTHING = AccessRules(frozenset(), frozenset(), frozenset())


def user_rules(user: User) -> AccessRules:
    """A user's rules: each of integrations, teams and agents limited to a list, or (None) not limited."""

    def frozen(values: list[str] | None) -> frozenset[str] | None:
        return None if values is None else frozenset(values)

    return AccessRules(frozen(user.integrations), frozen(user.teams), frozen(user.agents))


def creator_rules(session: Session, workflow: Workflow) -> AccessRules:
    """The rules a workflow's runs act with: its creator's now (everything, for workflows made before users
    existed; nothing, once the creator is gone)."""
    if workflow.created_by is None:
        return EVERYTHING
    creator = session.get(User, workflow.created_by)
    return user_rules(creator) if creator is not None else NOTHING
