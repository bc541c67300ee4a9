"""A workflow's lifecycle (SPEC Lifecycle) as one state machine: its statuses, the actions that move it, the table.

    draft ──publish──▶ live ──pause / auto-pause──▶ paused ──resume──▶ live
                        ▲ └────────────publish (a new version)────────────┘

`move(current, action)` answers the status an action leads to, or raises IllegalTransition in the words the API
answers with. Every status change of a workflow goes through it (`adapters/db/lifecycle.apply`), the automatic
pauses included, so each is checked the same way and audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from redflare.domain.errors import IllegalTransition


class WorkflowStatus(StrEnum):
    DRAFT = "draft"
    LIVE = "live"
    PAUSED = "paused"


class LifecycleAction(StrEnum):
    PUBLISH = "publish"
    PAUSE = "pause"
    RESUME = "resume"
    AUTO_PAUSE = "auto_pause"
    """RedFlare pauses a live workflow itself: a limit reached, a pipeline it uses archived; always with a reason."""


# action → (the statuses it may start from, the status it leads to)
TRANSITIONS: Mapping[LifecycleAction, tuple[frozenset[WorkflowStatus], WorkflowStatus]] = {
    LifecycleAction.PUBLISH: (frozenset(WorkflowStatus), WorkflowStatus.LIVE),
    LifecycleAction.PAUSE: (frozenset({WorkflowStatus.LIVE}), WorkflowStatus.PAUSED),
    LifecycleAction.RESUME: (frozenset({WorkflowStatus.PAUSED}), WorkflowStatus.LIVE),
    LifecycleAction.AUTO_PAUSE: (frozenset({WorkflowStatus.LIVE}), WorkflowStatus.PAUSED),
}
_NEEDS = {
    LifecycleAction.PAUSE: "only a live workflow can be paused",
    LifecycleAction.RESUME: "only a paused workflow can be resumed",
    LifecycleAction.AUTO_PAUSE: "only a live workflow is paused automatically",
}


def move(current: WorkflowStatus | str, action: LifecycleAction) -> WorkflowStatus:
    """The status `action` leads to from `current`; IllegalTransition (in the API's words) if it may not."""
    allowed, to = TRANSITIONS[action]
    status = WorkflowStatus(current)
    if status not in allowed:
        raise IllegalTransition(f"{_NEEDS[action]}; this one is {status}")
    return to


def credits_limit_pause_reason(limit: Decimal, spent: Decimal) -> str:
    """Why the credits limit paused a workflow: "reached" at the limit, "exceeded" past it, credits to 2 places."""
    word = "reached" if spent == limit else "exceeded"
    return f"Paused automatically: credits limit of {limit:.2f} {word} ({spent:.2f} spent)."


def pipeline_archived_pause_reason(pipeline: str) -> str:
    return f"Paused automatically: its pipeline {pipeline!r} was archived; choose another pipeline, then resume."
