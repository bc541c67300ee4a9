"""Who may see a workflow (and so its runs, previews, exports and outbox).

A workflow's runs act with its creator's data-access rules, so what they show is what the creator may
see. A user may see a workflow when they are an admin, created it, or their own rules cover the
creator's: nobody sees through a workflow what they could not see directly. Anything else is
NotFound — never Forbidden — so ids do not leak what exists.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from redflare.adapters.db.access import creator_rules
from redflare.adapters.db.orm import Workflow
from redflare.domain.access import Role
from redflare.domain.errors import NotFound
from redflare.services.users import Principal


def may_see(session: Session, principal: Principal, workflow: Workflow) -> bool:
    if principal.role is Role.ADMIN or workflow.created_by == principal.user_id:
        return True
    return principal.access.covers(creator_rules(session, workflow))


def visible_workflow(session: Session, principal: Principal, workflow_id: str) -> Workflow:
    """The workflow if this user may see it; NotFound otherwise (the same answer as for no such id)."""
    workflow = session.get(Workflow, workflow_id)
    if workflow is None or not may_see(session, principal, workflow):
        raise NotFound(f"no workflow {workflow_id!r}")
    return workflow
