"""Today's sentiment scoring, kept verbatim as part of the P7 baseline (`bench/analyse_baseline.py`).

Copied unchanged from `redflare.analysis.sentiment` (`analyzer`, `compound`, `turn_sentiments`) as of commit
f0e3a95 (their last change), before utterances without a VADER lexicon word skipped VADER and before VADER was
relieved of re-lowercasing and of its emoji pass on ASCII text (`redflare.analysis.vader`): every spoken turn's
text is scored by an untouched `SentimentIntensityAnalyzer.polarity_scores`, cached per text. It has its own
analyser and its own cache, so the baseline never reuses the product's sentiment work (clear it with
`compound.cache_clear()`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from redflare.domain.conversation import Speaker, Turn

# --- redflare/analysis/sentiment.py (analyzer, compound, turn_sentiments), verbatim ---------------------------------

_analyzer: Any = None


def analyzer() -> Any:
    """The process's VADER analyser, built on first use (VADER ships no type hints)."""
    global _analyzer
    if _analyzer is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _analyzer = SentimentIntensityAnalyzer()
    return _analyzer


# Short stock lines ("one moment please", "thanks") recur across conversations; the cache makes them free.
@lru_cache(maxsize=8192)
def compound(text: str) -> float:
    """VADER's compound score of one utterance, −1 (most negative) to 1 (most positive)."""
    if not text.strip():
        return 0.0
    return float(analyzer().polarity_scores(text)["compound"])


def turn_sentiments(turns: Sequence[Turn]) -> list[float | None]:
    """One compound score per turn; `None` for system turns."""
    return [None if turn.speaker is Speaker.SYSTEM else compound(turn.text) for turn in turns]
