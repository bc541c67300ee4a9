"""Phrase matching for scorecards: fuzzy but word-aligned.

Text and phrases are normalised alike (case-folded,
apostrophes dropped so "I'm" = "im", other punctuation to spaces, whitespace collapsed). A phrase
of k words scores 100 when it occurs as whole words; otherwise its score is the best `fuzz.ratio`
against every run of k−1, k or k+1 consecutive words of the turn. Unlike `fuzz.partial_ratio`
this never matches inside another word ("hi" in "this", "calm down" in "becalm downtown") yet
forgives typos, inflections and a dropped or added word ("apologize" ~ "apologise", "thank you
for calling" ~ "thanks for calling"). A phrase counts as said when its score reaches the
criterion's threshold.

Helpers cached per phrase list (scorecards repeat their phrases for every conversation): `normalised_phrases`,
`spelled_as_written`, `exact_pattern`; `TurnText` is one turn's normalised text, cut into word runs on demand.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
