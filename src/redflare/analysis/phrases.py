"""Phrase matching for scorecards: fuzzy but word-aligned.

Text and phrases are normalised alike (case-folded,
apostrophes dropped so "I'm" = "im", other punctuation to spaces, whitespace collapsed). A phrase
of k words scores 100 when it occurs as whole words; otherwise its score is the best `fuzz.ratio`
against every run of k−1, k or k+1 consecutive words of the turn. Unlike `fuzz.partial_ratio`
this never matches inside another word ("hi" in "this", "calm down" in "becalm downtown") yet
forgives typos, inflections and a dropped or added word ("apologize" ~ "apologise", "thank you
for calling" ~ "thanks for calling"). A phrase counts as said when its score reaches the
criterion's threshold.

How the work is shared (scoring runs once per conversation, in worker processes, criterion after criterion):
- `phrase_list(phrases)` prepares a criterion's phrases once per phrase list, since scorecards repeat them for
  every conversation: normalised texts, word counts, the spellings evidence names.
- `SpokenText` is one speaker's turns, normalised once. A whole-word hit is one `str.find` per phrase over all
  those turns at once, for the phrases whose words are all said (`first_exact_hit`). Word runs are cut once per
  run length for all the turns together (a run of n + 1 words is a run of n words and the next word) and shared
  by every criterion on that speaker; the runs of a window of turns are one slice per run length.
- `first_fuzzy_hit` scores all of a criterion's phrases against all the runs of its window in one
  `rapidfuzz.process.cdist` call, then keeps, among the few pairs reaching the threshold, those that count (a
  phrase of k words meets runs of k−1..k+1 words, or a whole turn shorter than that).
The result is the one a `process.extract` per phrase over runs rebuilt per phrase length gave (the matcher
before, kept in `bench/phrases_baseline.py`): same turns, same scores, same phrases.
"""

from __future__ import annotations

import operator
import re
import struct
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from rapidfuzz import fuzz, process

_APOSTROPHES = re.compile(r"['’‘`´]")
_NON_WORD = re.compile(r"[^\w\s]+")
_BREAK = "\n"
"""Ends each turn's line in `SpokenText.padded` (normalised text never holds one)."""


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


@dataclass(frozen=True, slots=True)
class PhraseList:
    """A criterion's phrases, prepared once for every conversation."""

    texts: tuple[str, ...]
    """The normalised phrases in the criterion's order, empty ones dropped."""
    words: tuple[int, ...]
    """Each text's word count."""
    spelled: tuple[str, ...]
    """Each text as the criterion spells it (the first phrase normalising to it): what evidence names."""
    whole: tuple[tuple[str, str, frozenset[str]], ...]
    """Each distinct text between spaces (how it reads as whole words in `SpokenText.padded`), as spelled, and its
    words; longest first."""
    low: int
    """The fewest words of a run compared with these phrases: one less than the shortest phrase's, at least 1."""
    high: int
    """The most: one more than the longest phrase's."""


@lru_cache(maxsize=1024)
def phrase_list(phrases: tuple[str, ...]) -> PhraseList:
    """The phrases prepared for matching; cached because scorecards repeat."""
    prepared = normalised_phrases(phrases)
    spelled = spelled_as_written(phrases)
    texts = tuple(text for text, _ in prepared)
    words = tuple(count for _, count in prepared)
    return PhraseList(
        texts=texts,
        words=words,
        spelled=tuple(spelled[text] for text in texts),
        whole=tuple(
            (f" {text} ", spelled[text], frozenset(text.split(" ")))
            for text in sorted(dict.fromkeys(texts), key=len, reverse=True)
        ),
        low=max(1, min(words, default=1) - 1),
        high=max(words, default=0) + 1,
    )


class SpokenText:
    """One speaker's turns, normalised, as one text (a line per turn), and on demand their runs of words.

    Turns are addressed by their position in the sequence given.
    """

    __slots__ = ("_chain", "_lines", "_offsets", "_runs", "_starts", "_vocabulary", "counts", "padded")

    def __init__(self, turns: Iterable[str]) -> None:
        self._lines = [normalise(turn) for turn in turns]
        self.padded = "".join(f" {line} {_BREAK}" for line in self._lines)
        """The turns' lines, each between spaces and ending in `_BREAK`: a phrase is said as whole words in a turn
        when it occurs between spaces in that turn's line."""
        self.counts = [line.count(" ") + 1 if line else 0 for line in self._lines]
        """How many words each turn has."""
        self._starts = list(accumulate((len(line) + 3 for line in self._lines), initial=0))
        """Where each turn's line begins in `padded` (and, last, its length)."""
        self._vocabulary: frozenset[str] | None = None
        self._chain: list[list[str]] = []
        """[n] → every run of n consecutive words of all the turns one after another, across turns too."""
        self._runs: list[list[str]] = []
        """[n] → every run of n words within one turn, turn after turn (`[0]` is empty)."""
        self._offsets: list[list[int]] = []
        """[n][position] → where that turn's runs of n words begin in `_runs[n]` (and, last, how many there are)."""

    def offset_of(self, position: int) -> int:
        """Where a turn's line begins in `padded` (the turns' count: where they end)."""
        return self._starts[position]

    def position_at(self, offset: int) -> int:
        """The turn whose line holds that offset of `padded`."""
        return bisect_right(self._starts, offset) - 1

    @property
    def words(self) -> list[str]:
        """Every turn's words, one turn after another."""
        if not self._chain:
            self._chain += [[], [word for line in self._lines if line for word in line.split(" ")]]
        return self._chain[1]

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word said in these turns."""
        if self._vocabulary is None:
            self._vocabulary = frozenset(self.words)
        return self._vocabulary

    def _cut(self, high: int) -> None:
        """Cut the runs of up to `high` words, once."""
        chain, runs, offsets, counts = self._chain, self._runs, self._offsets, self.counts
        if not runs:
            runs += [[], self.words]
            offsets += [[0] * (len(counts) + 1), list(accumulate(counts, initial=0))]
        firsts = offsets[1]
        # A run of n + 1 words is a run of n words, a space and the next word (normalised text has single spaces).
        # Cutting all the turns at once is cheaper than turn by turn; then each turn keeps the runs within it.
        spaced: list[str] | None = None
        while len(runs) <= high:
            size = len(runs)
            if spaced is None:
                spaced = [" " + word for word in chain[1]]
            chain.append(list(map(operator.add, chain[-1], spaced[size - 1 :])))
            within: list[str] = []
            starts = [0]
            for first, count in zip(firsts, counts, strict=False):
                if count >= size:
                    within += chain[size][first : first + count - size + 1]
                starts.append(len(within))
            runs.append(within)
            offsets.append(starts)

    def window(self, start: int, stop: int, low: int, high: int) -> list[str]:
        """What phrases needing runs of `low` to `high` words are compared with in the turns at [start, stop).

        The whole of each turn that has fewer than `low` words, then every run of `low`, …, `high` words within one
        turn. `locate` tells which turn and run length a place in the list stands for.
        """
        self._cut(high)
        counts = self.counts
        choices = [self._lines[p] for p in range(start, stop) if 0 < counts[p] < low] if low > 1 else []
        for size in range(low, high + 1):
            starts = self._offsets[size]
            choices += self._runs[size][starts[start] : starts[stop]]
        return choices

    def locate(self, start: int, stop: int, low: int, index: int) -> tuple[int, int]:
        """(turn position, run length in words) of `window(start, stop, low, …)[index]`."""
        counts = self.counts
        for position in range(start, stop):
            if 0 < counts[position] < low:
                if index == 0:
                    return position, counts[position]
                index -= 1
        size = low
        while True:
            starts = self._offsets[size]
            taken = starts[stop] - starts[start]
            if index < taken:
                return bisect_right(starts, starts[start] + index) - 1, size
            index -= taken
            size += 1


def first_exact_hit(phrases: PhraseList, spoken: SpokenText, start: int, stop: int) -> tuple[int, str] | None:
    """The first turn position in [start, stop) saying a phrase as whole words, and that phrase (as spelled).

    Where two phrases begin at the same word of that turn, the longer (a fuzzy score of 100 either way).
    """
    if start >= stop:
        return None
    begin, end = spoken.offset_of(start), spoken.offset_of(stop)
    padded, vocabulary = spoken.padded, spoken.vocabulary
    first, spelled = end, ""
    for needle, as_written, words in phrases.whole:  # longest first, so a tie keeps the longer
        if not words <= vocabulary:
            continue  # a word of it is never said: a set test is cheaper than a search
        found = padded.find(needle, begin, first + len(needle) - 1)
        if 0 <= found < first:
            first, spelled = found, as_written
    if first == end:
        return None
    return spoken.position_at(first), spelled


def first_fuzzy_hit(
    phrases: PhraseList, spoken: SpokenText, start: int, stop: int, threshold: float
) -> tuple[int, float, str] | None:
    """The first turn position in [start, stop) where a phrase scores at least `threshold`; None if none.

    With it, the best score there and the phrase that has it (as spelled; the first such in the criterion's
    order). A phrase of k words is compared with that turn's runs of k−1..k+1 words, or the whole turn if it
    has fewer than k−1 words.
    """
    if not phrases.texts or start >= stop:
        return None
    choices = spoken.window(start, stop, phrases.low, phrases.high)
    if not choices:
        return None
    # Every phrase against every run in one call. Under the cutoff a score is 0, so the hits are the non-zeros
    # (unless the cutoff is 0); scores come as float32 (rapidfuzz's default, quickest), so a hit's exact score is
    # computed again below.
    scores = process.cdist(phrases.texts, choices, scorer=fuzz.ratio, score_cutoff=threshold)
    if _as_rapidfuzz_cutoff(threshold) > 0:
        # Straight to the non-zeros: `scores.max()` first cost more (numpy's Python-level reduction) than it saved.
        nonzero: list[int] = scores.ravel().nonzero()[0].tolist()
        if not nonzero:
            return None
        hits: Iterable[int] = nonzero
    else:
        hits = range(scores.size)
    found: list[tuple[int, int, str]] = []  # (turn, phrase, run) of each hit that counts
    width = len(choices)
    for hit in hits:
        row, column = divmod(hit, width)
        position, size = spoken.locate(start, stop, phrases.low, column)
        words = phrases.words[row]
        if size > words + 1 or (size < words - 1 and size != spoken.counts[position]):
            continue  # a run this phrase is not compared with
        found.append((position, row, choices[column]))
    if not found:
        return None
    earliest = min(position for position, _, _ in found)
    best: tuple[float, int] | None = None  # (score, −phrase): the highest score, then the earliest phrase
    for position, row, run in found:
        if position == earliest:
            score = fuzz.ratio(phrases.texts[row], run)
            if best is None or (score, -row) > best:
                best = (score, -row)
    assert best is not None
    return earliest, best[0], phrases.spelled[-best[1]]


def _as_rapidfuzz_cutoff(threshold: float) -> float:
    """The cutoff `process.cdist` (and `process.extract`) apply for a threshold: rounded to a C float.

    A score at or above it counts, so 85.000001 lets 85.0 through, and a threshold below ~7e-46 is 0: every pair
    counts, even one scoring 0 (which the score matrix cannot tell from one under the cutoff).
    """
    rounded: float = struct.unpack("f", struct.pack("f", threshold))[0]
    return rounded
