"""The workflow lifecycle's table: what each action may start from and where it leads; the pause reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.errors import IllegalTransition
from redflare.domain.lifecycle import (
    TRANSITIONS,
    LifecycleAction,
    WorkflowStatus,
    credits_limit_pause_reason,
    move,
)


@given(st.sampled_from(list(WorkflowStatus)), st.sampled_from(list(LifecycleAction)))
def test_an_action_moves_as_the_table_says_or_is_refused(status: WorkflowStatus, action: LifecycleAction) -> None:
    allowed, to = TRANSITIONS[action]
    if status in allowed:
        assert move(status, action) is to
    else:
        with pytest.raises(IllegalTransition, match=f"this one is {status}$"):
            move(status, action)


def test_the_guides_moves() -> None:
    assert move("draft", LifecycleAction.PUBLISH) is WorkflowStatus.LIVE
    assert move("live", LifecycleAction.PAUSE) is WorkflowStatus.PAUSED
    assert move("paused", LifecycleAction.RESUME) is WorkflowStatus.LIVE
    assert move("paused", LifecycleAction.PUBLISH) is WorkflowStatus.LIVE  # a new version goes live
    with pytest.raises(IllegalTransition, match=r"^only a live workflow can be paused; this one is draft$"):
        move("draft", LifecycleAction.PAUSE)
    with pytest.raises(IllegalTransition, match=r"^only a live workflow is paused automatically; this one is paused$"):
        move("paused", LifecycleAction.AUTO_PAUSE)


def test_the_credits_limit_says_reached_at_the_limit_and_exceeded_past_it() -> None:
    assert credits_limit_pause_reason(Decimal(20), Decimal("20.0000")) == (
        "Paused automatically: credits limit of 20.00 reached (20.00 spent)."
    )
    assert credits_limit_pause_reason(Decimal(20), Decimal("20.5")) == (
        "Paused automatically: credits limit of 20.00 exceeded (20.50 spent)."
    )
