"""The pure planner: ready steps, skips, joins, and when a run ends."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.runs import RunStatus, StepStatus
from redflare.engine.planner import downstream_of, plan

P, R, C, F, S, X = (
    StepStatus.PENDING,
    StepStatus.RUNNING,
    StepStatus.COMPLETED,
    StepStatus.FAILED,
    StepStatus.SKIPPED,
    StepStatus.CANCELLED,
)
# select → process → (filter → sort) and (distribute); sort and distribute join in "report"
GRAPH = {
    "select": [],
    "process": ["select"],
    "filter": ["process"],
    "sort": ["filter"],
    "split": ["process"],
    "report": ["sort", "split"],
}


class TestPlan:
    def test_roots_are_ready_first(self) -> None:
        """A new run starts with the steps that hang off the trigger."""
        result = plan(GRAPH, dict.fromkeys(GRAPH, P))
        assert result.ready == ("select",)
        assert not result.finished

    def test_independent_branches_are_ready_together(self) -> None:
        """Once processing is done, both branches start at the same time."""
        states = dict.fromkeys(GRAPH, P) | {"select": C, "process": C}
        assert set(plan(GRAPH, states).ready) == {"filter", "split"}

    def test_a_join_waits_for_every_input(self) -> None:
        """A step with two inputs waits until both have finished."""
        states = {"select": C, "process": C, "filter": C, "sort": R, "split": C, "report": P}
        assert plan(GRAPH, states).ready == ()
        states["sort"] = C
        assert plan(GRAPH, states).ready == ("report",)

    def test_failure_skips_everything_downstream(self) -> None:
        """A failed step skips what depends on it, transitively, but not the other branch."""
        states = {"select": C, "process": C, "filter": F, "sort": P, "split": R, "report": P}
        result = plan(GRAPH, states)
        assert set(result.skip) == {"sort", "report"}
        assert result.ready == ()
        assert not result.finished  # split still running

    def test_run_outcome(self) -> None:
        """All completed: completed; any failure: failed; any cancelled: cancelled."""
        assert plan(GRAPH, dict.fromkeys(GRAPH, C)).outcome is RunStatus.COMPLETED
        failed = dict.fromkeys(GRAPH, C) | {"split": F}
        assert plan(GRAPH, failed).outcome is RunStatus.FAILED
        cancelled = dict.fromkeys(GRAPH, C) | {"sort": X, "report": X}
        assert plan(GRAPH, cancelled).outcome is RunStatus.CANCELLED

    @given(st.dictionaries(st.sampled_from(list(GRAPH)), st.sampled_from([P, R, C, F, S, X])))
    def test_ready_steps_have_all_inputs_completed(self, partial: dict[str, StepStatus]) -> None:
        """Whatever the states, a ready step is pending and all its inputs are completed."""
        states = dict.fromkeys(GRAPH, P) | partial
        result = plan(GRAPH, states)
        for step in result.ready:
            assert states[step] is P
            assert all(states[u] is C for u in GRAPH[step])
        assert not set(result.ready) & set(result.skip)


class TestDownstream:
    def test_downstream_is_transitive(self) -> None:
        """Deleting the process step affects every step after it."""
        assert downstream_of(GRAPH, ["process"]) == {"filter", "sort", "split", "report"}
        assert downstream_of(GRAPH, ["report"]) == set()
