"""A run in flight: which step a finished one's thread may carry on with, and what a store read can override."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.access import EVERYTHING
from redflare.domain.runs import StepStatus
from redflare.domain.workflow import Settings as Limits
from redflare.domain.workflow import WorkflowDocument
from redflare.engine.flight import Flight
from redflare.engine.planner import plan
from redflare.engine.ports import Begun, RunFacts
from redflare.steps.context import TriggerInfo

P, R, C, F = StepStatus.PENDING, StepStatus.RUNNING, StepStatus.COMPLETED, StepStatus.FAILED


def flight(graph: dict[str, list[str]], states: dict[str, StepStatus]) -> Flight:
    facts = RunFacts("r", "w", TriggerInfo("manual", {}), Limits(), EVERYTHING, test=False)
    document = WorkflowDocument.model_construct(name="x", steps=[])
    return Flight(Begun(facts, document), graph, dict(states))


class TestClaimNext:
    def test_a_chain_carries_on_with_the_next_step(self) -> None:
        f = flight({"a": [], "b": ["a"], "c": ["b"]}, {"a": R, "b": P, "c": P})
        assert f.claim_next("a") == "b"
        assert f.states["b"] is R
        assert f.carrier_of("b") == "a"

    def test_a_claimed_step_is_not_claimed_again(self) -> None:
        f = flight({"a": [], "b": ["a"]}, {"a": R, "b": P})
        assert f.claim_next("a") == "b"
        assert f.claim_next("a") is None

    def test_a_fan_out_goes_back_to_the_loop(self) -> None:
        """Two steps made ready at once run side by side: the loop starts them, no thread carries one on."""
        f = flight({"a": [], "b": ["a"], "c": ["a"]}, {"a": R, "b": P, "c": P})
        assert f.claim_next("a") is None
        assert f.states == {"a": R, "b": P, "c": P}

    def test_a_join_waits_for_every_input(self) -> None:
        f = flight({"a": [], "b": [], "c": ["a", "b"]}, {"a": R, "b": R, "c": P})
        assert f.claim_next("a") is None
        f.set(["a"], C)
        assert f.claim_next("b") == "c"

    def test_a_step_about_to_be_skipped_goes_back_to_the_loop(self) -> None:
        f = flight({"a": [], "x": [], "b": ["a"], "y": ["x"]}, {"a": R, "x": F, "b": P, "y": P})
        assert f.claim_next("a") is None


class TestStoreReads:
    def test_a_claim_not_yet_in_the_store_stays_running(self) -> None:
        f = flight({"a": [], "b": ["a"]}, {"a": R, "b": P})
        f.claim_next("a")
        f.refresh({"a": R, "b": P})  # read before the transaction that starts b committed
        assert f.states["b"] is R
        assert "b" not in f.plan().ready

    def test_once_started_the_store_is_believed(self) -> None:
        f = flight({"a": [], "b": ["a"]}, {"a": R, "b": P})
        f.claim_next("a")
        f.started("b")
        f.refresh({"a": C, "b": F})
        assert f.states == {"a": C, "b": F}

    def test_a_released_claim_is_pending_and_claimable_again(self) -> None:
        f = flight({"a": [], "b": ["a"]}, {"a": R, "b": P})
        f.claim_next("a")
        f.release("b")
        assert f.states["b"] is P
        assert f.claim_next("a") == "b"


STEPS = ["s0", "s1", "s2", "s3", "s4", "s5"]


@st.composite
def dags_and_states(draw: st.DrawFn) -> tuple[dict[str, list[str]], dict[str, StepStatus], str]:
    """A DAG (edges only from earlier to later steps), statuses for its steps, and one running step."""
    n = draw(st.integers(2, len(STEPS)))
    steps = STEPS[:n]
    graph = {s: sorted(draw(st.sets(st.sampled_from(steps[:i])))) if i else [] for i, s in enumerate(steps)}
    states = {s: draw(st.sampled_from(list(StepStatus))) for s in steps}
    running = draw(st.sampled_from(steps))
    states[running] = R
    return graph, states, running


@given(dags_and_states())
def test_a_claimed_step_is_one_the_completion_made_ready(
    case: tuple[dict[str, list[str]], dict[str, StepStatus], str],
) -> None:
    graph, states, running = case
    f = flight(graph, states)
    claimed = f.claim_next(running)
    after = plan(graph, {**states, running: C})
    if claimed is None:
        made_ready = [s for s in after.ready if running in graph[s]]
        assert len(made_ready) != 1 or after.skip
        assert f.states == states  # nothing changed
    else:
        assert claimed in after.ready
        assert running in graph[claimed]
        assert states[claimed] is P
        assert f.states[claimed] is R
        assert f.claim_next(running) is None
