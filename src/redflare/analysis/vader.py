"""The VADER analyser sentiment scoring uses: the library's own, minus chores that do not change its numbers.

vaderSentiment 3.3.2 scores each word of its lexicon by looking at the (up to) three words before it and two after
it, but two of its helpers first lowercase the whole utterance again, once per look: `_negation_check` (three times
per lexicon word, and then once more per word through the module's `negated`, which also copies its list of 60
negations to scan it) and `_special_idioms_check`. And `polarity_scores` first rebuilds the utterance character by
character to spell out emoji, which ASCII text never holds. On a support chat that is most of VADER's time.

`build()` gives the library's `SentimentIntensityAnalyzer` with, on the instance, those two helpers replaced by ones
that lowercase only the words they look at and test negations in a set, and `polarity_scores` replaced by the
library's own steps without the emoji pass for ASCII text (other text goes to the library's method whole). The
rules, the lexicon and every constant stay the library's, and so do the numbers (tests/analysis/test_vader.py checks
the helpers and whole `polarity_scores` results against the untouched analyser). Another vaderSentiment version
gets the untouched analyser: the replacements mirror 3.3.2's code.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from types import MethodType
from typing import Any

from vaderSentiment.vaderSentiment import (
    BOOSTER_DICT,
    N_SCALAR,
    NEGATE,
    SPECIAL_CASES,
    SentimentIntensityAnalyzer,
    SentiText,
)

MIRRORED_VERSION = "3.3.2"
"""The vaderSentiment release whose `polarity_scores`, `_negation_check` and `_special_idioms_check` the code below
mirrors."""

# The library's own constants (the same objects), typed.
_NEGATIONS: frozenset[str] = frozenset(NEGATE)
_N_SCALAR: float = N_SCALAR
_SPECIAL_CASES: dict[str, float] = SPECIAL_CASES
_BOOSTERS: dict[str, float] = BOOSTER_DICT


def _negated(word: str) -> bool:
    """`vaderSentiment.negated([word])`: the word (lowercased, as `negated` does) is a negation or holds "n't"."""
    lowered = str(word).lower()
    return lowered in _NEGATIONS or "n't" in lowered


def negation_check(valence: float, words_and_emoticons: Sequence[Any], start_i: int, i: int) -> float:
    """`SentimentIntensityAnalyzer._negation_check`, lowercasing only the words it looks at."""

    def low(index: int) -> str:
        return str(words_and_emoticons[index]).lower()

    if start_i == 0 and _negated(low(i - 1)):  # 1 word preceding lexicon word (w/o stopwords)
        valence = valence * _N_SCALAR
    if start_i == 1:
        two, one = low(i - 2), low(i - 1)
        if two == "never" and (one == "so" or one == "this"):
            valence = valence * 1.25
        elif two == "without" and one == "doubt":
            pass
        elif _negated(two):  # 2 words preceding the lexicon word position
            valence = valence * _N_SCALAR
    if start_i == 2:
        three, two, one = low(i - 3), low(i - 2), low(i - 1)
        if (three == "never" and (two == "so" or two == "this")) or (one == "so" or one == "this"):
            valence = valence * 1.25
        elif three == "without" and (two == "doubt" or one == "doubt"):
            pass
        elif _negated(three):  # 3 words preceding the lexicon word position
            valence = valence * _N_SCALAR
    return valence


def special_idioms_check(valence: float, words_and_emoticons: Sequence[Any], i: int) -> float:
    """`SentimentIntensityAnalyzer._special_idioms_check`, lowercasing only the words it looks at.

    As in the library, `i` is at least 3 (it is called for the third word before a lexicon word).
    """
    count = len(words_and_emoticons)
    low = [str(word).lower() for word in words_and_emoticons[i - 3 : i + 3]]  # words i−3 … i+2 (fewer at the end)
    three, two, one, zero = low[0], low[1], low[2], low[3]
    onezero = f"{one} {zero}"
    twoonezero = f"{two} {one} {zero}"
    twoone = f"{two} {one}"
    threetwoone = f"{three} {two} {one}"
    threetwo = f"{three} {two}"
    for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
        if seq in _SPECIAL_CASES:
            valence = _SPECIAL_CASES[seq]
            break
    if count - 1 > i:
        zeroone = f"{zero} {low[4]}"
        if zeroone in _SPECIAL_CASES:
            valence = _SPECIAL_CASES[zeroone]
    if count - 1 > i + 1:
        zeroonetwo = f"{zero} {low[4]} {low[5]}"
        if zeroonetwo in _SPECIAL_CASES:
            valence = _SPECIAL_CASES[zeroonetwo]
    # check for booster/dampener bi-grams such as 'sort of' or 'kind of'
    for n_gram in (threetwoone, threetwo, twoone):
        if n_gram in _BOOSTERS:
            valence = valence + _BOOSTERS[n_gram]
    return valence


def polarity_scores(analyser: Any, text: str) -> dict[str, float]:
    """`SentimentIntensityAnalyzer.polarity_scores`, without its emoji pass for ASCII text (VADER's emoji are all
    beyond ASCII, so the pass would hand the text back unchanged); other text goes to the library's method."""
    if not text.isascii():
        result: dict[str, float] = SentimentIntensityAnalyzer.polarity_scores(analyser, text)
        return result
    # From here on the library's steps, verbatim but for names.
    text = text.strip()
    sentitext = SentiText(text)
    sentiments: list[Any] = []
    words_and_emoticons = sentitext.words_and_emoticons
    for i, item in enumerate(words_and_emoticons):
        valence = 0
        # check for vader_lexicon words that may be used as modifiers or negations
        if item.lower() in _BOOSTERS:
            sentiments.append(valence)
            continue
        if i < len(words_and_emoticons) - 1 and item.lower() == "kind" and words_and_emoticons[i + 1].lower() == "of":
            sentiments.append(valence)
            continue
        sentiments = analyser.sentiment_valence(valence, sentitext, item, i, sentiments)
    sentiments = analyser._but_check(words_and_emoticons, sentiments)
    scores: dict[str, float] = analyser.score_valence(sentiments, text)
    return scores


def build() -> Any:
    """A new VADER analyser (it reads its lexicon from disk), with the code above where it mirrors the library."""
    analyser = SentimentIntensityAnalyzer()
    if version("vaderSentiment") == MIRRORED_VERSION:
        # Instance attributes win over the class's methods; the helpers are called unbound, with the same arguments.
        analyser._negation_check = negation_check
        analyser._special_idioms_check = special_idioms_check
        analyser.polarity_scores = MethodType(polarity_scores, analyser)
    return analyser
