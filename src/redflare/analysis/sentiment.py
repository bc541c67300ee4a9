"""Sentiment: a VADER compound score (−1..1) per turn, an overall score, and its label.

Contract:
- `turn_sentiments(turns)` returns one entry per turn, aligned with `turns`: the VADER compound
  score of an agent or customer turn, `None` for a system turn (an event, not something said).
- `overall_sentiment(turns, scores)` is the mean compound of the customer's turns that have text —
  the customer's mood is what a QA lead asks about; a conversation without customer text falls back
  to the mean of every spoken turn with text. `None` when nothing was said. Rounded to 4 places,
  VADER's own precision.
- `sentiment_label(value, thresholds)` is "negative" below `negative_below`, "positive" above
  `positive_above`, otherwise "neutral" (both bounds exclusive); `None` stays `None`.

The VADER analyser loads its lexicon from disk, so it is built once per process, on first use;
process-pool workers each build their own and then reuse it for every conversation. It is the library's, minus
chores that do not change its numbers (`redflare.analysis.vader`). An utterance
none of whose words VADER knows scores 0.0 without calling it (`lexicon_free`); about a third of support chat
utterances are such ("one moment", "let me check that for you"), and VADER's call is the costliest part of an
analysis.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import repeat
from statistics import fmean
from typing import Any, Literal

from redflare.analysis.pipeline import SentimentThresholds
from redflare.domain.conversation import Speaker, Turn

SentimentLabel = Literal["negative", "neutral", "positive"]

_analyzer: Any = None
_lexicon: AbstractSet[str] = frozenset()


def analyzer() -> Any:
    """The process's VADER analyser, built on first use (VADER ships no type hints)."""
    global _analyzer, _lexicon
    if _analyzer is None:
        from redflare.analysis import vader  # imports the library: only processes that score sentiment need it

        _analyzer = vader.build()
        _lexicon = _analyzer.lexicon.keys()  # a set view: `lexicon_free` tests many words in one C-level call
    return _analyzer


def lexicon_free(text: str, lexicon: AbstractSet[str]) -> bool:
    """Whether VADER's compound for `text` is 0.0 for want of any word in its lexicon (then VADER need not run).

    Sound, never guessing: VADER first replaces each emoji by its description (which may hold lexicon words), then
    gives a token (split on whitespace) a valence only when the token, stripped of surrounding punctuation (unless
    that leaves two characters or fewer) and lowercased, is in its lexicon; every other rule (negation, boosters,
    "but", capitals, "!" and "?") only scales valences already there, and a sum of none is a compound of 0.0.
    Only ASCII text is judged (False otherwise, i.e. "ask VADER"): VADER's emoji are all beyond ASCII, and in ASCII
    lowercasing the whole text is lowercasing each token, before or after stripping punctuation.
    """
    if not text.isascii():
        return False
    tokens = text.lower().split()
    return lexicon.isdisjoint(tokens) and lexicon.isdisjoint(map(str.strip, tokens, repeat(string.punctuation)))


def vader_compound(text: str) -> float:
    """VADER's compound score of one utterance, −1 (most negative) to 1 (most positive); uncached."""
    if not text.strip():
        return 0.0
    vader = analyzer()
    if lexicon_free(text, _lexicon):
        return 0.0
    return float(vader.polarity_scores(text)["compound"])


# Short stock lines ("one moment please", "thanks") recur across conversations; the cache makes them free.
@lru_cache(maxsize=8192)
def compound(text: str) -> float:
    """VADER's compound score of one utterance, −1 (most negative) to 1 (most positive)."""
    return vader_compound(text)


def turn_sentiments(turns: Sequence[Turn]) -> list[float | None]:
    """One compound score per turn; `None` for system turns."""
    return [None if turn.speaker is Speaker.SYSTEM else compound(turn.text) for turn in turns]


def overall_sentiment(turns: Sequence[Turn], scores: Sequence[float | None]) -> float | None:
    """Mean compound of the customer's turns with text, else of all spoken turns with text; `None` if none."""
    spoken = [
        (turn.speaker, score)
        for turn, score in zip(turns, scores, strict=True)
        if score is not None and turn.text.strip()
    ]
    customer = [score for speaker, score in spoken if speaker is Speaker.CUSTOMER]
    chosen = customer or [score for _, score in spoken]
    return round(fmean(chosen), 4) if chosen else None


def sentiment_label(value: float | None, thresholds: SentimentThresholds) -> SentimentLabel | None:
    """The label of an overall sentiment under the pipeline's thresholds."""
    if value is None:
        return None
    if value < thresholds.negative_below:
        return "negative"
    if value > thresholds.positive_above:
        return "positive"
    return "neutral"
