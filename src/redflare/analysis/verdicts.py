"""Why each criterion passed, failed or did not apply, in one sentence naming the threshold, the value and the turn.

Worked out when a verdict is shown (the try panel, a run's preview), not while scoring: from the criterion as its
pipeline version defines it, the verdict, its evidence (`redflare.analysis.scorecard.evidence_of`) and the turns'
speakers and sentiments — all of which a stored result keeps. Scoring stays as fast as it was, and a sentence can
be reworded without re-analysing anything.

Turns are numbered from 1 for people ("turn 4" is index 3). Numbers are rounded to two places.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from redflare.analysis.pipeline import (
    Criterion,
    DurationRange,
    MeasureRange,
    PhraseNotSaid,
    PhraseSaid,
    SentimentAtEnd,
    SentimentAtStart,
)

MEASURE_LABELS = {
    "talk_ratio": "the agent's talk ratio",
    "turns": "the number of turns",
    "silence_s": "the total silence (s)",
    "longest_silence_s": "the longest silence (s)",
    "interruptions": "the number of interruptions",
    "agent_response_s": "the agent response time (s)",
    "duration_s": "the duration (s)",
}


def _n(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{round(float(value), 2):g}"


def _who(speaker: str) -> str:
    return "anyone" if speaker == "any" else f"the {speaker}"


def _quoted(phrases: Sequence[str]) -> str:
    return ", ".join(f"“{phrase}”" for phrase in phrases)


def _range(low: float | None, high: float | None, *, exclusive: bool = False) -> str:
    above, below = ("above", "below") if exclusive else ("at least", "at most")
    if low is None and high is None:
        return "any value"
    if low is not None and high is not None:
        return f"{above} {_n(low)} and {below} {_n(high)}"
    if low is not None:
        return f"{above} {_n(low)}"
    return f"{below} {_n(high)}"


def _verdict(passed: bool | None) -> str:
    return {True: "Passed", False: "Failed", None: "Does not apply"}[passed]


def _lowest_customer(speakers: Sequence[str], sentiments: Sequence[float | None]) -> tuple[int, float] | None:
    scored = [
        (index, score)
        for index, (speaker, score) in enumerate(zip(speakers, sentiments, strict=False))
        if speaker == "customer" and score is not None
    ]
    return min(scored, key=lambda item: item[1]) if scored else None


def _condition(criterion: PhraseSaid, speakers: Sequence[str], sentiments: Sequence[float | None]) -> str:
    """Why a criterion that applies only to an upset customer did or did not apply."""
    bound = criterion.when_customer_sentiment_below
    lowest = _lowest_customer(speakers, sentiments)
    if lowest is None:
        return f"no customer turn has a sentiment to compare with {_n(bound)}"
    index, score = lowest
    relation = "below" if bound is not None and score < bound else "not below"
    return f"the customer's lowest sentiment, {_n(score)} in turn {index + 1}, is {relation} {_n(bound)}"


def _window(criterion: PhraseSaid) -> str:
    parts = []
    if criterion.within_first_turns is not None:
        parts.append(f"their first {criterion.within_first_turns} turns")
    if criterion.within_last_turns is not None:
        parts.append(f"their last {criterion.within_last_turns} turns")
    return f" in {' and '.join(parts)}" if parts else ""


def _phrase_said(
    criterion: PhraseSaid,
    passed: bool | None,
    evidence: Mapping[str, Any] | None,
    speakers: Sequence[str],
    sentiments: Sequence[float | None],
) -> str:
    conditional = criterion.when_customer_sentiment_below is not None
    because = f" ({_condition(criterion, speakers, sentiments)})" if conditional else ""
    if passed is None:
        bound = _n(criterion.when_customer_sentiment_below)
        return f"Does not apply: it counts only when a customer turn is below {bound}{because}."
    if passed and evidence:
        return (
            f"Passed: {_who(criterion.speaker)} said “{evidence.get('match')}” in turn {int(evidence['turn']) + 1} "
            f"(similarity {_n(evidence.get('similarity'))}, needed {_n(criterion.threshold)}){because}."
        )
    return (
        f"Failed: {_who(criterion.speaker)} said none of {_quoted(criterion.phrases)}{_window(criterion)} "
        f"(no similarity reached {_n(criterion.threshold)}){because}."
    )


def _phrase_not_said(criterion: PhraseNotSaid, passed: bool | None, evidence: Mapping[str, Any] | None) -> str:
    if passed is False and evidence:
        return (
            f"Failed: {_who(criterion.speaker)} said “{evidence.get('match')}” in turn {int(evidence['turn']) + 1} "
            f"(similarity {_n(evidence.get('similarity'))}, {_n(criterion.threshold)} counts as said)."
        )
    return (
        f"Passed: {_who(criterion.speaker)} said none of {_quoted(criterion.phrases)} "
        f"(no similarity reached {_n(criterion.threshold)})."
    )


def _sentiment(
    criterion: SentimentAtStart | SentimentAtEnd, passed: bool | None, evidence: Mapping[str, Any] | None
) -> str:
    count = criterion.first_turns if isinstance(criterion, SentimentAtStart) else criterion.last_turns
    which = "first" if isinstance(criterion, SentimentAtStart) else "last"
    needed = _range(criterion.above, criterion.below, exclusive=True)
    if passed is None or not evidence:
        return f"Does not apply: {_who(criterion.speaker)} has no scored turn to average (needed {needed})."
    return (
        f"{_verdict(passed)}: {_who(criterion.speaker)}'s average sentiment over their {which} {count} turns "
        f"(from turn {int(evidence['turn']) + 1}) was {_n(evidence.get('value'))}, needed {needed}."
    )


def _measured(name: str, low: float | None, high: float | None, passed: bool | None, value: float | None) -> str:
    label = MEASURE_LABELS.get(name, name)
    if passed is None or value is None:
        return f"Does not apply: {label} is unknown for this conversation (needed {_range(low, high)})."
    return f"{_verdict(passed)}: {label} was {_n(value)}, needed {_range(low, high)}."


def verdict_reason(
    criterion: Criterion,
    passed: bool | None,
    evidence: Mapping[str, Any] | None,
    speakers: Sequence[str] = (),
    sentiments: Sequence[float | None] = (),
) -> str:
    """One criterion's verdict on one conversation, explained. `speakers` and `sentiments` are per turn, in the
    conversation's order (only a criterion conditional on the customer's sentiment needs them)."""
    if isinstance(criterion, PhraseSaid):
        return _phrase_said(criterion, passed, evidence, speakers, sentiments)
    if isinstance(criterion, PhraseNotSaid):
        return _phrase_not_said(criterion, passed, evidence)
    if isinstance(criterion, SentimentAtStart | SentimentAtEnd):
        return _sentiment(criterion, passed, evidence)
    value = None if not evidence else evidence.get("value")
    if isinstance(criterion, MeasureRange):
        return _measured(criterion.measure, criterion.min, criterion.max, passed, value)
    assert isinstance(criterion, DurationRange)
    return _measured("duration_s", criterion.min_s, criterion.max_s, passed, value)


def verdict_reasons(
    criteria: Sequence[Criterion],
    passes: Mapping[str, bool | None],
    evidence: Mapping[str, Mapping[str, Any] | None],
    speakers: Sequence[str] = (),
    sentiments: Sequence[float | None] = (),
) -> dict[str, str]:
    """Criterion name → `verdict_reason`, for every criterion that has a verdict."""
    return {
        criterion.name: verdict_reason(
            criterion, passes[criterion.name], evidence.get(criterion.name), speakers, sentiments
        )
        for criterion in criteria
        if criterion.name in passes
    }
