"""The run and step state machines."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.errors import IllegalTransition
from redflare.domain.runs import (
    RUN_ALLOWED,
    RUN_TERMINAL,
    STEP_ALLOWED,
    RunStatus,
    StepStatus,
    check_run_transition,
    check_step_transition,
    runtime_s,
)

LEGAL_RUN = {
    (RunStatus.QUEUED, RunStatus.RUNNING),
    (RunStatus.QUEUED, RunStatus.CANCELLED),
    (RunStatus.QUEUED, RunStatus.FAILED),
    (RunStatus.RUNNING, RunStatus.COMPLETED),
    (RunStatus.RUNNING, RunStatus.FAILED),
    (RunStatus.RUNNING, RunStatus.CANCELLED),
    (RunStatus.FAILED, RunStatus.RUNNING),
}
LEGAL_STEP = {
    (StepStatus.PENDING, StepStatus.RUNNING),
    (StepStatus.PENDING, StepStatus.SKIPPED),
    (StepStatus.PENDING, StepStatus.CANCELLED),
    (StepStatus.RUNNING, StepStatus.COMPLETED),
    (StepStatus.RUNNING, StepStatus.FAILED),
    (StepStatus.RUNNING, StepStatus.CANCELLED),
    (StepStatus.FAILED, StepStatus.PENDING),
    (StepStatus.SKIPPED, StepStatus.PENDING),
    (StepStatus.CANCELLED, StepStatus.PENDING),
}


class TestRunTransitions:
    @pytest.mark.parametrize(("current", "to"), list(itertools.product(RunStatus, RunStatus)))
    def test_every_pair(self, current: RunStatus, to: RunStatus) -> None:
        """A run moves only along the documented edges; anything else is refused."""
        if (current, to) in LEGAL_RUN:
            assert check_run_transition(current, to) is to
        else:
            with pytest.raises(IllegalTransition):
                check_run_transition(current, to)

    def test_completed_and_cancelled_are_final(self) -> None:
        """A completed or cancelled run never changes again."""
        assert RUN_ALLOWED[RunStatus.COMPLETED] == frozenset()
        assert RUN_ALLOWED[RunStatus.CANCELLED] == frozenset()
        assert {RunStatus.COMPLETED, RunStatus.CANCELLED, RunStatus.FAILED} == RUN_TERMINAL


class TestStepTransitions:
    @pytest.mark.parametrize(("current", "to"), list(itertools.product(StepStatus, StepStatus)))
    def test_every_pair(self, current: StepStatus, to: StepStatus) -> None:
        """A step moves only along the documented edges; anything else is refused."""
        if (current, to) in LEGAL_STEP:
            assert check_step_transition(current, to) is to
        else:
            with pytest.raises(IllegalTransition):
                check_step_transition(current, to)

    def test_table_matches_the_documented_edges(self) -> None:
        """The transition table holds exactly the documented edges."""
        table = {(a, b) for a, allowed in STEP_ALLOWED.items() for b in allowed}
        assert table == LEGAL_STEP


class TestRuntime:
    START = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    seconds = st.floats(min_value=0, max_value=10 * 86_400, allow_nan=False)

    @given(seconds, seconds)
    def test_work_is_the_span_less_the_wait(self, worked: float, waited: float) -> None:
        """Start to finish less the time spent failed before a re-run, never negative, to the millisecond."""
        finished = self.START + timedelta(seconds=worked + waited)
        assert runtime_s(self.START, finished, waited) == pytest.approx(worked, abs=2e-3)
        assert runtime_s(self.START, finished) == pytest.approx(worked + waited, abs=2e-3)

    def test_none_until_the_run_has_both_ends(self) -> None:
        assert runtime_s(None, self.START) is None
        assert runtime_s(self.START, None) is None
