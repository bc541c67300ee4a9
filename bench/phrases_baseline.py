"""Today's phrase matcher, kept verbatim as the baseline the new one is measured and tested against (issue P7).

Copied unchanged from `redflare.analysis.phrases` (all of it) and `redflare.analysis.scorecard` (`_Transcript`,
`_phrase_said`, `_phrase_not_said`) as of commit f429f63, before phrase matching moved to one `process.cdist`
per criterion. Word runs are rebuilt per phrase length and rapidfuzz's `process.extract` is called once per
phrase.

`installed()` swaps these into `redflare.analysis.scorecard` for the duration of a `with` block, so
`score_conversation` / `analyse` run with today's matcher and everything else unchanged:

    with phrases_baseline.installed():
        outcome = analyse(pipeline, conversation)   # the baseline
    outcome = analyse(pipeline, conversation)       # the product

Not thread-safe (it patches module globals); the benchmark and the tests use it in one thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

from rapidfuzz import fuzz, process

from redflare.analysis import scorecard
from redflare.analysis.measures import Measures, conversation_measures
from redflare.analysis.pipeline import PhraseNotSaid, PhraseSaid
from redflare.analysis.scorecard import CriterionResult
from redflare.analysis.sentiment import turn_sentiments
from redflare.domain.conversation import Conversation, Speaker

# --- redflare/analysis/phrases.py, verbatim ----------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^\w\s]+")


def normalise(text: str) -> str:
    """Text as phrase matching sees it: case-folded, apostrophes dropped, punctuation to spaces."""
    return " ".join(_NON_WORD.sub(" ", _APOSTROPHES.sub("", text.casefold())).split())


@lru_cache(maxsize=1024)
def normalised_phrases(phrases: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """(normalised phrase, word count), empty ones dropped; cached because scorecards repeat."""
    normalised = (normalise(phrase) for phrase in phrases)
    return tuple((text, len(text.split())) for text in normalised if text)


@lru_cache(maxsize=1024)
def spelled_as_written(phrases: tuple[str, ...]) -> dict[str, str]:
    """Normalised phrase → the first phrase as the criterion spells it (evidence names the phrase as written)."""
    spelled: dict[str, str] = {}
    for phrase in phrases:
        spelled.setdefault(normalise(phrase), phrase)
    return spelled


@lru_cache(maxsize=1024)
def exact_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """Any of the phrases as whole words in normalised text (a fuzzy score of 100); None if none."""
    prepared = sorted({phrase for phrase, _ in normalised_phrases(phrases)}, key=len, reverse=True)
    if not prepared:
        return None
    return re.compile(r"(?:^| )(?:" + "|".join(map(re.escape, prepared)) + r")(?= |$)")


class TurnText:
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


# --- redflare/analysis/scorecard.py (_Transcript, _phrase_said, _phrase_not_said), verbatim ---------------------


class _Transcript:
    """A conversation prepared for scoring: normalised turns and (lazily) turn sentiments."""

    def __init__(
        self,
        conversation: Conversation,
        sentiments: Sequence[float | None] | None,
        measures: Measures | None = None,
    ) -> None:
        self.conversation = conversation
        self._sentiments = sentiments
        self._measures = measures
        self._texts: dict[int, TurnText] = {}
        self._choices: dict[tuple[tuple[int, ...], int], tuple[list[str], list[int]]] = {}

    def text(self, index: int) -> TurnText:
        if index not in self._texts:
            self._texts[index] = TurnText(self.conversation.turns[index].text)
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

    @property
    def measures(self) -> Measures:
        if self._measures is None:
            self._measures = conversation_measures(self.conversation)
        return self._measures

    def speaker_turns(self, speaker: str) -> list[int]:
        """Indexes of the speaker's turns ("any": agent and customer), in order."""
        return [
            index
            for index, turn in enumerate(self.conversation.turns)
            if turn.speaker is not Speaker.SYSTEM and (speaker == "any" or turn.speaker.value == speaker)
        ]

    def first_match(
        self, indexes: Sequence[int], phrases: tuple[str, ...], threshold: float
    ) -> tuple[int, float, str] | None:
        """The earliest turn saying any phrase, its best score there and that phrase (as spelled); None if none."""
        # A verbatim hit is found by one regex; only the turns before it can still hold an earlier fuzzy hit.
        exact = exact_pattern(phrases)
        spelled = spelled_as_written(phrases)
        hit: tuple[int, str] | None = None
        for index in indexes:
            found = exact.search(self.text(index).text) if exact else None
            if found is not None:
                hit = (index, spelled[found.group(0).strip()])
                break
        window = tuple(index for index in indexes if hit is None or index < hit[0])
        best: dict[int, tuple[float, str]] = {}  # turn index → best phrase score reaching the threshold
        if window and threshold < 100:
            # One rapidfuzz call per phrase over every run of every turn keeps the Python loop short.
            for phrase, words in normalised_phrases(phrases):
                choices, owners = self.choices(window, words)
                for _, score, position in process.extract(
                    phrase, choices, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
                ):
                    owner = owners[position]
                    if owner not in best or float(score) > best[owner][0]:
                        best[owner] = (float(score), spelled[phrase])
        if best:
            first = min(best)
            return first, *best[first]
        return None if hit is None else (hit[0], 100.0, hit[1])


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
    return CriterionResult(criterion.name, True, turn=found[0], value=found[1], phrase=found[2])


def _phrase_not_said(criterion: PhraseNotSaid, transcript: _Transcript) -> CriterionResult:
    indexes = transcript.speaker_turns(criterion.speaker)
    found = transcript.first_match(indexes, tuple(criterion.phrases), criterion.threshold)
    if found is None:
        return CriterionResult(criterion.name, True)
    return CriterionResult(criterion.name, False, turn=found[0], value=found[1], phrase=found[2])


# --- swapping it in ----------------------------------------------------------------------------------------------


@contextmanager
def installed() -> Iterator[None]:
    """Within the block, `redflare.analysis.scorecard` scores phrase criteria with this (today's) matcher."""
    names = ("_Transcript", "_phrase_said", "_phrase_not_said")
    saved = {name: getattr(scorecard, name) for name in names}
    replacements = {"_Transcript": _Transcript, "_phrase_said": _phrase_said, "_phrase_not_said": _phrase_not_said}
    for name in names:
        setattr(scorecard, name, replacements[name])
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(scorecard, name, value)
