"""Why each verdict: the sentence names the threshold, the value and the turn, and says what the verdict says — on
the demo's real conversations under the shipped pipelines, and on made-up ones for each kind of criterion."""

from __future__ import annotations

import re

import pytest
from bench.analysis import conversations_in
from hypothesis import given
from hypothesis import strategies as st

from redflare.analysis.analyse import analyse
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.analysis.pipeline import DurationRange, MeasureRange, PhraseSaid, SentimentAtEnd
from redflare.analysis.verdicts import verdict_reason, verdict_reasons
from redflare.importing.sample import packaged_demo_files

FIRST_WORD = {True: "Passed", False: "Failed", None: "Does not apply"}


@pytest.mark.parametrize("pipeline", ["default-qa", "call-qa"])
def test_every_verdict_on_the_demo_says_why(pipeline: str) -> None:
    """Each verdict of each demo conversation opens with what it is, and a phrase verdict with a turn names that
    turn (1-based) and its threshold; the conditional apology says the customer's lowest sentiment and its turn."""
    definition = load_builtin_pipelines()[pipeline]
    conversations = conversations_in(packaged_demo_files())[:120]
    seen_conditional = 0
    for conversation in conversations:
        outcome = analyse(definition, conversation)
        speakers = [turn.speaker.value for turn in conversation.turns]
        reasons = verdict_reasons(
            definition.scorecard, outcome.criteria, outcome.evidence, speakers, outcome.turn_sentiments
        )
        assert set(reasons) == set(outcome.criteria)
        for criterion in definition.scorecard:
            reason, passed = reasons[criterion.name], outcome.criteria[criterion.name]
            assert reason.startswith(FIRST_WORD[passed]), (criterion.name, reason)
            evidence = outcome.evidence.get(criterion.name)
            if evidence and evidence.get("turn") is not None:
                assert f"turn {evidence['turn'] + 1}" in reason
            if isinstance(criterion, PhraseSaid):
                if passed is not None:
                    assert f"{criterion.threshold:g}" in reason
                if criterion.when_customer_sentiment_below is not None:
                    seen_conditional += 1
                    customer = [
                        (i, s)
                        for i, (who, s) in enumerate(zip(speakers, outcome.turn_sentiments, strict=True))
                        if who == "customer" and s is not None
                    ]
                    if customer:
                        index, lowest = min(customer, key=lambda item: item[1])
                        assert f"lowest sentiment, {round(lowest, 2):g} in turn {index + 1}" in reason
    if pipeline == "default-qa":
        assert seen_conditional == len(conversations)


def test_a_conditional_criterion_that_does_not_apply_says_the_lowest_sentiment_and_the_bound() -> None:
    """The issue's '—': now it reads why the apology was not expected."""
    apology = PhraseSaid(name="apology", phrases=["sorry"], when_customer_sentiment_below=-0.3)
    reason = verdict_reason(apology, None, None, ["agent", "customer", "customer"], [0.5, 0.1, -0.05])
    assert reason == (
        "Does not apply: it counts only when a customer turn is below -0.3 "
        "(the customer's lowest sentiment, -0.05 in turn 3, is not below -0.3)."
    )
    failed = verdict_reason(apology, False, None, ["agent", "customer"], [0.5, -0.6])
    assert failed.startswith("Failed: the agent said none of “sorry” (no similarity reached 85)")
    assert "-0.6 in turn 2, is below -0.3" in failed


@given(st.floats(0, 600, allow_nan=False), st.none() | st.floats(0, 300), st.none() | st.floats(300, 900))
def test_a_range_names_the_value_and_the_bounds(value: float, low: float | None, high: float | None) -> None:
    """Measured value and both bounds are in the sentence, and the verdict word matches the range."""
    criterion = DurationRange(name="length", min_s=low, max_s=high)
    inside = (low is None or value >= low) and (high is None or value <= high)
    reason = verdict_reason(criterion, inside if (low, high) != (None, None) else True, {"value": value})
    assert reason.startswith("Passed" if inside or (low, high) == (None, None) else "Failed")
    assert f"was {round(value, 2):g}," in reason
    for bound in (low, high):
        if bound is not None:
            assert re.search(re.escape(f"{round(bound, 2):g}"), reason)


def test_an_unknown_measure_and_an_unscored_speaker_say_so() -> None:
    response = MeasureRange(name="quick", measure="agent_response_s", max=10)
    assert verdict_reason(response, None, None) == (
        "Does not apply: the agent response time (s) is unknown for this conversation (needed at most 10)."
    )
    calm = SentimentAtEnd(name="calm", last_turns=2, above=0.1)
    assert verdict_reason(calm, True, {"turn": 4, "value": 0.42}) == (
        "Passed: the customer's average sentiment over their last 2 turns (from turn 5) was 0.42, needed above 0.1."
    )
