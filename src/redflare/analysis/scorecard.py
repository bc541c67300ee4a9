"""Scorecards: each criterion passes, fails or does not apply; the score weighs the ones that apply.

Contract:
- `evaluate(criterion, conversation, sentiments)` gives a `CriterionResult`: `passed` is True, False,
  or None when the criterion does not apply (an apology criterion while no customer turn is below
  `when_customer_sentiment_below`; a sentiment-at-end criterion whose speaker never spoke; a
  duration range on a conversation of unknown length). `turn` is the evidence: the index in
  `conversation.turns` of the earliest turn that said the phrase, or None.
- `weighted_score` is 100 · Σ weights passed / Σ weights applicable, rounded to 2 places; None
  when nothing applies. Adding a passing criterion can therefore never lower a score.
- Speakers: "agent", "customer", or "any" (both; system turns are events and never match).
  `within_first_turns` / `within_last_turns` count the speaker's own turns; given both, a turn
  must lie in both windows.

Phrase matching is fuzzy but word-aligned. Text and phrases are normalised alike (case-folded,
apostrophes dropped so "I'm" = "im", other punctuation to spaces, whitespace collapsed). A phrase
of k words scores 100 when it occurs as whole words; otherwise its score is the best `fuzz.ratio`
against every run of k−1, k or k+1 consecutive words of the turn. Unlike `fuzz.partial_ratio`
this never matches inside another word ("hi" in "this", "calm down" in "becalm downtown") yet
forgives typos, inflections and a dropped or added word ("apologize" ~ "apologise", "thank you
for calling" ~ "thanks for calling"). A phrase counts as said when its score reaches the
criterion's threshold.

Scoring runs once per conversation in worker processes, so the work is kept small: normalised
phrases and a whole-word regex are cached per phrase list; each turn is normalised and cut into
word runs at most once per conversation; a verbatim hit found by the regex spares the fuzzy pass
over every later turn; and rapidfuzz compares one phrase with all candidate runs in one call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import fmean

from rapidfuzz import fuzz, process

from redflare.analysis.pipeline import Criterion, DurationRange, PhraseNotSaid, PhraseSaid, SentimentAtEnd
from redflare.analysis.sentiment import turn_sentiments
from redflare.domain.conversation import Conversation, Speaker

_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^\w\s]+")


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's verdict on one conversation, with the evidence a reviewer can jump to."""

    name: str
    passed: bool | None
    """True pass, False fail, None not applicable (left out of the score)."""
    turn: int | None = None
    """Index in `conversation.turns` of the turn that said the phrase, or None."""
    value: float | None = None
    """What was measured: the fuzzy match score (0–100), the average end sentiment, or the duration."""


@dataclass(frozen=True, slots=True)
class ScorecardResult:
    """Every criterion's verdict (in scorecard order) and the weighted score."""

    results: tuple[CriterionResult, ...]
    score: float | None

    @property
    def passes(self) -> dict[str, bool | None]:
        """Criterion name → pass / fail / not applicable, as the `criterion.<name>` columns hold them."""
        return {result.name: result.passed for result in self.results}


def normalise(text: str) -> str:
    """Text as phrase matching sees it: case-folded, apostrophes dropped, punctuation to spaces."""
    return " ".join(_NON_WORD.sub(" ", _APOSTROPHES.sub("", text.casefold())).split())


@lru_cache(maxsize=1024)
def _normalised_phrases(phrases: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """(normalised phrase, word count), empty ones dropped; cached because scorecards repeat."""
    normalised = (normalise(phrase) for phrase in phrases)
    return tuple((text, len(text.split())) for text in normalised if text)


@lru_cache(maxsize=1024)
def _exact_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of the phrases as whole words in normalised text (a fuzzy score of 100); None if none."""
    prepared = sorted({phrase for phrase, _ in _normalised_phrases(phrases)}, key=len, reverse=True)
    if not prepared:
        return None
    return re.compile(r"(?:^| )(?:" + "|".join(map(re.escape, prepared)) + r")(?= |$)")


class _Text:
    """One turn's normalised text, cut into runs of consecutive words on demand."""

    __slots__ = ("_ends", "_runs", "_starts", "text")

    def __init__(self, raw: str) -> None:
        self.text = normalise(raw)
        self._starts: list[int] = []
        self._ends: list[int] = []
        position = 0
        for word in self.text.split(" ") if self.text else ():
            self._starts.append(position)
            self._ends.append(position + len(word))
            position += len(word) + 1
        self._runs: dict[int, list[str]] = {}

    def runs_for(self, phrase_words: int) -> list[str]:
        """The runs a phrase of that many words is compared with: k−1, k and k+1 words long.

        A turn shorter than k−1 words is one run, whole, so "thanks" can still meet "thank you so".
        """
        if phrase_words not in self._runs:
            count, text, starts, ends = len(self._starts), self.text, self._starts, self._ends
            low, high = max(1, min(phrase_words - 1, count)), min(phrase_words + 1, count)
            # Slicing the normalised text (single spaces) is cheaper than joining word lists.
            self._runs[phrase_words] = [
                text[starts[first] : ends[first + size - 1]]
                for size in range(low, high + 1)
                for first in range(count - size + 1)
            ]
        return self._runs[phrase_words]


class _Transcript:
    """A conversation prepared for scoring: normalised turns and (lazily) turn sentiments."""

    def __init__(self, conversation: Conversation, sentiments: Sequence[float | None] | None) -> None:
        self.conversation = conversation
        self._sentiments = sentiments
        self._texts: dict[int, _Text] = {}
        self._choices: dict[tuple[tuple[int, ...], int], tuple[list[str], list[int]]] = {}

    def text(self, index: int) -> _Text:
        if index not in self._texts:
            self._texts[index] = _Text(self.conversation.turns[index].text)
        return self._texts[index]

    def choices(self, indexes: tuple[int, ...], phrase_words: int) -> tuple[list[str], list[int]]:
        """Every run of these turns for phrases of that length, and the turn each run belongs to.

        Cached: criteria with the same speaker window (most agent criteria) share one list.
        """
        key = (indexes, phrase_words)
        if key not in self._choices:
            runs: list[str] = []
            owners: list[int] = []
            for index in indexes:
                found = self.text(index).runs_for(phrase_words)
                runs.extend(found)
                owners.extend([index] * len(found))
            self._choices[key] = (runs, owners)
        return self._choices[key]

    @property
    def sentiments(self) -> Sequence[float | None]:
        if self._sentiments is None:
            self._sentiments = turn_sentiments(self.conversation.turns)
        return self._sentiments

    def speaker_turns(self, speaker: str) -> list[int]:
        """Indexes of the speaker's turns ("any": agent and customer), in order."""
        return [
            index
            for index, turn in enumerate(self.conversation.turns)
            if turn.speaker is not Speaker.SYSTEM and (speaker == "any" or turn.speaker.value == speaker)
        ]

    def first_match(
        self, indexes: Sequence[int], phrases: tuple[str, ...], threshold: float
    ) -> tuple[int, float] | None:
        """The earliest turn saying any phrase, with its best score there; None when no turn does."""
        # A verbatim hit is found by one regex; only the turns before it can still hold an earlier fuzzy hit.
        exact = _exact_pattern(phrases)
        hit = next((index for index in indexes if exact and exact.search(self.text(index).text)), None)
        window = tuple(index for index in indexes if hit is None or index < hit)
        best: dict[int, float] = {}  # turn index → best phrase score reaching the threshold
        if window and threshold < 100:
            # One rapidfuzz call per phrase over every run of every turn keeps the Python loop short.
            for phrase, words in _normalised_phrases(phrases):
                choices, owners = self.choices(window, words)
                for _, score, position in process.extract(
                    phrase, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
                ):
                    owner = owners[position]
                    best[owner] = max(best.get(owner, 0.0), float(score))
        if best:
            first = min(best)
            return first, best[first]
        return None if hit is None else (hit, 100.0)


def _phrase_said(criterion: PhraseSaid, transcript: _Transcript) -> CriterionResult:
    if criterion.when_customer_sentiment_below is not None:
        bound = criterion.when_customer_sentiment_below
        customer = transcript.speaker_turns("customer")
        sentiments = transcript.sentiments
        if not any((score := sentiments[index]) is not None and score < bound for index in customer):
            return CriterionResult(criterion.name, None)
    indexes = transcript.speaker_turns(criterion.speaker)
    window = set(indexes)
    if criterion.within_first_turns is not None:
        window &= set(indexes[: criterion.within_first_turns])
    if criterion.within_last_turns is not None:
        window &= set(indexes[-criterion.within_last_turns :])
    found = transcript.first_match(sorted(window), tuple(criterion.phrases), criterion.threshold)
    if found is None:
        return CriterionResult(criterion.name, False)
    return CriterionResult(criterion.name, True, turn=found[0], value=found[1])


def _phrase_not_said(criterion: PhraseNotSaid, transcript: _Transcript) -> CriterionResult:
    indexes = transcript.speaker_turns(criterion.speaker)
    found = transcript.first_match(indexes, tuple(criterion.phrases), criterion.threshold)
    if found is None:
        return CriterionResult(criterion.name, True)
    return CriterionResult(criterion.name, False, turn=found[0], value=found[1])


def _sentiment_at_end(criterion: SentimentAtEnd, transcript: _Transcript) -> CriterionResult:
    turns = transcript.conversation.turns
    spoken = [index for index in transcript.speaker_turns(criterion.speaker) if turns[index].text.strip()]
    scores = [transcript.sentiments[index] for index in spoken[-criterion.last_turns :]]
    known = [score for score in scores if score is not None]
    if not known:
        return CriterionResult(criterion.name, None)
    average = round(fmean(known), 4)
    return CriterionResult(criterion.name, average > criterion.above, value=average)


def _duration_of(conversation: Conversation) -> float | None:
    if conversation.duration_s is not None:
        return conversation.duration_s
    marks = [mark for turn in conversation.turns for mark in (turn.offset_s, turn.end_s) if mark is not None]
    return max(marks) if marks else None


def _duration_range(criterion: DurationRange, transcript: _Transcript) -> CriterionResult:
    duration = _duration_of(transcript.conversation)
    if duration is None:
        return CriterionResult(criterion.name, None)
    inside = (criterion.min_s is None or duration >= criterion.min_s) and (
        criterion.max_s is None or duration <= criterion.max_s
    )
    return CriterionResult(criterion.name, inside, value=duration)


def _evaluate(criterion: Criterion, transcript: _Transcript) -> CriterionResult:
    if isinstance(criterion, PhraseSaid):
        return _phrase_said(criterion, transcript)
    if isinstance(criterion, PhraseNotSaid):
        return _phrase_not_said(criterion, transcript)
    if isinstance(criterion, SentimentAtEnd):
        return _sentiment_at_end(criterion, transcript)
    return _duration_range(criterion, transcript)


def evaluate(
    criterion: Criterion, conversation: Conversation, sentiments: Sequence[float | None] | None = None
) -> CriterionResult:
    """One criterion's verdict; `sentiments` (one per turn) are computed when needed and not given."""
    return _evaluate(criterion, _Transcript(conversation, sentiments))


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
    criteria: Sequence[Criterion], conversation: Conversation, sentiments: Sequence[float | None] | None = None
) -> ScorecardResult:
    """Evaluate a whole scorecard on one conversation, sharing the prepared text between criteria."""
    transcript = _Transcript(conversation, sentiments)
    results = tuple(_evaluate(criterion, transcript) for criterion in criteria)
    score = weighted_score(
        (criterion.weight, result.passed) for criterion, result in zip(criteria, results, strict=True)
    )
    return ScorecardResult(results=results, score=score)
