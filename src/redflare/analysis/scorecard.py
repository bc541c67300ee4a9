"""Scorecards: each criterion passes, fails or does not apply; the score weighs the ones that apply.

Contract:
- `evaluate(criterion, conversation, sentiments, measures)` gives a `CriterionResult`: `passed` is True,
  False, or None when the criterion does not apply (an apology criterion while no customer turn is below
  `when_customer_sentiment_below`; a sentiment-at-start/end criterion whose speaker never spoke; a
  measure or duration range whose value is unknown). `turn` is the index in `conversation.turns` of the
  turn that decided it (the earliest turn saying the phrase; the first turn a sentiment average used), or
  None; `phrase` the criterion's phrase that matched there; `value` what was measured.
- Kinds: phrase_said / phrase_not_said (fuzzy, below), sentiment_start (the speaker's first N turns'
  average VADER compound lies above `above` and below `below`, each bound optional and exclusive),
  sentiment_end (likewise over the last N turns; `above` defaults to 0), measure_range (a measure of
  `redflare.analysis.measures.conversation_measures` within [min, max], inclusive), duration_range (the
  `duration_s` measure: the conversation's duration, else its turns' speech span, within [min_s, max_s]).
- Evidence (`evidence_of`, `ScorecardResult.evidence`): per criterion either None or one dict shape,
  `{turn, speaker, text, offset_s, end_s, match, similarity, value}`:
  * phrase_said that passes: the matched turn (index, speaker, text, times), `match` = the phrase as the
    criterion spells it, `similarity` = its fuzzy score 0–100; `value` None. A fail has nothing to point
    at: None.
  * phrase_not_said that fails: the offending turn, likewise; a pass: None.
  * sentiment_start / sentiment_end: the first turn the average used, `value` = the average; `match` and
    `similarity` None.
  * measure_range / duration_range: the turn fields None, `value` = the measured value.
  * a criterion that does not apply: None.
- `weighted_score` is 100 · Σ weights passed / Σ weights applicable, rounded to 2 places; None
  when nothing applies. Adding a passing criterion can therefore never lower a score.
- Speakers: "agent", "customer", or "any" (both; system turns are events and never match).
  `within_first_turns` / `within_last_turns` count the speaker's own turns; given both, a turn
  must lie in both windows.

Phrase matching (fuzzy, word-aligned) is `redflare.analysis.phrases`.

Scoring runs once per conversation in worker processes, so the work is kept small: phrases are
prepared once per phrase list; each speaker's turns are normalised once and cut into word runs once per
run length, shared by every criterion on that speaker; a verbatim hit spares the fuzzy pass over every
later turn; and one rapidfuzz call compares all of a criterion's phrases with all the runs of its window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean

from redflare.analysis.measures import Measures, conversation_measures
from redflare.analysis.phrases import SpokenText, first_exact_hit, first_fuzzy_hit, phrase_list
from redflare.analysis.pipeline import (
    Criterion,
    DurationRange,
    MeasureRange,
    PhraseNotSaid,
    PhraseSaid,
    SentimentAtEnd,
    SentimentAtStart,
)
from redflare.analysis.sentiment import turn_sentiments
from redflare.domain.conversation import Conversation, Speaker


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's verdict on one conversation, with the evidence a reviewer can jump to."""

    name: str
    passed: bool | None
    """True pass, False fail, None not applicable (left out of the score)."""
    turn: int | None = None
    """Index in `conversation.turns` of the turn that decided it, or None."""
    value: float | None = None
    """What was measured: the fuzzy match score (0–100), the sentiment average, the measure or the duration."""
    phrase: str | None = None
    """The criterion's phrase that matched in `turn` (phrase criteria only)."""


@dataclass(frozen=True, slots=True)
class ScorecardResult:
    """Every criterion's verdict (in scorecard order) and the weighted score."""

    results: tuple[CriterionResult, ...]
    score: float | None
    evidence: dict[str, dict[str, object] | None]
    """Criterion name → `evidence_of` its result."""

    @property
    def passes(self) -> dict[str, bool | None]:
        """Criterion name → pass / fail / not applicable, as the `criterion.<name>` columns hold them."""
        return {result.name: result.passed for result in self.results}


_PEOPLE = {"agent": Speaker.AGENT, "customer": Speaker.CUSTOMER}
"""The speakers a criterion can name (system turns are events and never match)."""


class _Transcript:
    """A conversation prepared for scoring: each speaker's normalised text and (lazily) turn sentiments."""

    def __init__(
        self,
        conversation: Conversation,
        sentiments: Sequence[float | None] | None,
        measures: Measures | None = None,
    ) -> None:
        self.conversation = conversation
        self._sentiments = sentiments
        self._measures = measures
        self._speakers: dict[str, tuple[int, ...]] = {}
        self._spoken: dict[str, SpokenText] = {}

    def spoken(self, speaker: str) -> SpokenText:
        """The speaker's turns prepared for matching (cached: every criterion on that speaker shares them)."""
        if speaker not in self._spoken:
            turns = self.conversation.turns
            self._spoken[speaker] = SpokenText(turns[index].text for index in self.speaker_turns(speaker))
        return self._spoken[speaker]

    @property
    def sentiments(self) -> Sequence[float | None]:
        if self._sentiments is None:
            self._sentiments = turn_sentiments(self.conversation.turns)
        return self._sentiments

    @property
    def measures(self) -> Measures:
        if self._measures is None:
            self._measures = conversation_measures(self.conversation)
        return self._measures

    def speaker_turns(self, speaker: str) -> tuple[int, ...]:
        """Indexes of the speaker's turns ("any": agent and customer), in order."""
        if speaker not in self._speakers:
            turns = self.conversation.turns
            if speaker == "any":
                found = tuple(index for index, turn in enumerate(turns) if turn.speaker is not Speaker.SYSTEM)
            else:
                wanted = _PEOPLE.get(speaker)
                found = tuple(index for index, turn in enumerate(turns) if turn.speaker is wanted)
            self._speakers[speaker] = found
        return self._speakers[speaker]

    def first_match(
        self, speaker: str, start: int, stop: int, phrases: tuple[str, ...], threshold: float
    ) -> tuple[int, float, str] | None:
        """The earliest turn saying any phrase, its best score there and that phrase (as spelled); None if none.

        The turns looked at are the speaker's turns from `start` to `stop` (positions among that speaker's turns).
        """
        spoken = self.spoken(speaker)
        prepared = phrase_list(phrases)
        # A verbatim hit is cheap to find; only the turns before it can still hold an earlier fuzzy hit.
        hit = first_exact_hit(prepared, spoken, start, stop)
        end = stop if hit is None else hit[0]
        indexes = self.speaker_turns(speaker)
        if end > start and threshold < 100:
            fuzzy = first_fuzzy_hit(prepared, spoken, start, end, threshold)
            if fuzzy is not None:
                position, score, phrase = fuzzy
                return indexes[position], score, phrase
        return None if hit is None else (indexes[hit[0]], 100.0, hit[1])


def _phrase_said(criterion: PhraseSaid, transcript: _Transcript) -> CriterionResult:
    if criterion.when_customer_sentiment_below is not None:
        bound = criterion.when_customer_sentiment_below
        customer = transcript.speaker_turns("customer")
        sentiments = transcript.sentiments
        if not any((score := sentiments[index]) is not None and score < bound for index in customer):
            return CriterionResult(criterion.name, None)
    # The window is a run of the speaker's turns: the first N of them, the last M, or both (their overlap).
    count = len(transcript.speaker_turns(criterion.speaker))
    start = 0 if criterion.within_last_turns is None else max(0, count - criterion.within_last_turns)
    stop = count if criterion.within_first_turns is None else min(count, criterion.within_first_turns)
    found = transcript.first_match(criterion.speaker, start, stop, tuple(criterion.phrases), criterion.threshold)
    if found is None:
        return CriterionResult(criterion.name, False)
    return CriterionResult(criterion.name, True, turn=found[0], value=found[1], phrase=found[2])


def _phrase_not_said(criterion: PhraseNotSaid, transcript: _Transcript) -> CriterionResult:
    count = len(transcript.speaker_turns(criterion.speaker))
    found = transcript.first_match(criterion.speaker, 0, count, tuple(criterion.phrases), criterion.threshold)
    if found is None:
        return CriterionResult(criterion.name, True)
    return CriterionResult(criterion.name, False, turn=found[0], value=found[1], phrase=found[2])


def _sentiment_window(criterion: SentimentAtStart | SentimentAtEnd, transcript: _Transcript) -> CriterionResult:
    turns = transcript.conversation.turns
    spoken = [index for index in transcript.speaker_turns(criterion.speaker) if turns[index].text.strip()]
    if isinstance(criterion, SentimentAtStart):
        window = spoken[: criterion.first_turns]
    else:
        window = spoken[-criterion.last_turns :]
    sentiments = transcript.sentiments
    used = [index for index in window if sentiments[index] is not None]
    if not used:
        return CriterionResult(criterion.name, None)
    # A list, not a generator: fmean counts a generator's items through a Python-level wrapper (same sum, same mean).
    average = round(fmean([score for index in used if (score := sentiments[index]) is not None]), 4)
    inside = (criterion.above is None or average > criterion.above) and (
        criterion.below is None or average < criterion.below
    )
    return CriterionResult(criterion.name, inside, turn=used[0], value=average)


def _in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _measure_range(criterion: MeasureRange, transcript: _Transcript) -> CriterionResult:
    value = transcript.measures.value(criterion.measure)
    if value is None:
        return CriterionResult(criterion.name, None)
    return CriterionResult(criterion.name, _in_range(value, criterion.min, criterion.max), value=value)


def _duration_range(criterion: DurationRange, transcript: _Transcript) -> CriterionResult:
    duration = transcript.measures.value("duration_s")
    if duration is None:
        return CriterionResult(criterion.name, None)
    return CriterionResult(criterion.name, _in_range(duration, criterion.min_s, criterion.max_s), value=duration)


def _evaluate(criterion: Criterion, transcript: _Transcript) -> CriterionResult:
    if isinstance(criterion, PhraseSaid):
        return _phrase_said(criterion, transcript)
    if isinstance(criterion, PhraseNotSaid):
        return _phrase_not_said(criterion, transcript)
    if isinstance(criterion, SentimentAtStart):
        return _sentiment_window(criterion, transcript)
    if isinstance(criterion, SentimentAtEnd):
        return _sentiment_window(criterion, transcript)
    if isinstance(criterion, MeasureRange):
        return _measure_range(criterion, transcript)
    return _duration_range(criterion, transcript)


def evaluate(
    criterion: Criterion,
    conversation: Conversation,
    sentiments: Sequence[float | None] | None = None,
    measures: Measures | None = None,
) -> CriterionResult:
    """One criterion's verdict; `sentiments` (one per turn) and `measures` are computed when needed and not given."""
    return _evaluate(criterion, _Transcript(conversation, sentiments, measures))


_PHRASE_KINDS = (PhraseSaid, PhraseNotSaid)
_SENTIMENT_KINDS = (SentimentAtStart, SentimentAtEnd)


def evidence_of(criterion: Criterion, result: CriterionResult, conversation: Conversation) -> dict[str, object] | None:
    """What decided the verdict, in the one shape the module contract describes; None when nothing did."""
    if result.passed is None:
        return None
    if isinstance(criterion, _PHRASE_KINDS):
        if result.turn is None:
            return None  # a phrase never said: a pass of phrase_not_said, a fail of phrase_said
        return _turn_evidence(conversation, result.turn, match=result.phrase, similarity=result.value, value=None)
    if isinstance(criterion, _SENTIMENT_KINDS) and result.turn is not None:
        return _turn_evidence(conversation, result.turn, match=None, similarity=None, value=result.value)
    if result.value is None:
        return None
    return {
        "turn": None,
        "speaker": None,
        "text": None,
        "offset_s": None,
        "end_s": None,
        "match": None,
        "similarity": None,
        "value": result.value,
    }


def _turn_evidence(
    conversation: Conversation, index: int, *, match: str | None, similarity: float | None, value: float | None
) -> dict[str, object]:
    turn = conversation.turns[index]
    return {
        "turn": index,
        "speaker": turn.speaker.value,
        "text": turn.text,
        "offset_s": turn.offset_s,
        "end_s": turn.end_s,
        "match": match,
        "similarity": None if similarity is None else round(similarity, 2),
        "value": value,
    }


def weighted_score(items: Iterable[tuple[float, bool | None]]) -> float | None:
    """100 · weight passed / weight applicable, from (weight, passed) pairs; None if none applies."""
    applicable = passed = 0.0
    for weight, verdict in items:
        if verdict is None:
            continue
        applicable += weight
        if verdict:
            passed += weight
    if applicable <= 0:
        return None
    return round(min(100.0, 100.0 * passed / applicable), 2)


def score_conversation(
    criteria: Sequence[Criterion],
    conversation: Conversation,
    sentiments: Sequence[float | None] | None = None,
    measures: Measures | None = None,
) -> ScorecardResult:
    """Evaluate a whole scorecard on one conversation, sharing the prepared text between criteria."""
    transcript = _Transcript(conversation, sentiments, measures)
    results = tuple(_evaluate(criterion, transcript) for criterion in criteria)
    pairs = list(zip(criteria, results, strict=True))
    score = weighted_score((criterion.weight, result.passed) for criterion, result in pairs)
    evidence = {result.name: evidence_of(criterion, result, conversation) for criterion, result in pairs}
    return ScorecardResult(results=results, score=score, evidence=evidence)
