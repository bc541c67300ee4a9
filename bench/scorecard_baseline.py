"""Today's sentiment-window criterion, kept verbatim as part of the P7 baseline (`bench/analyse_baseline.py`).

Copied unchanged from `redflare.analysis.scorecard` (`_sentiment_window`) as of commit 82b84df (its last change),
before the window's mean was taken of a list rather than a generator. The transcript it reads is the baseline's
(`bench.phrases_baseline._Transcript`), which the baseline swaps in with it.
"""

from __future__ import annotations

from statistics import fmean

from bench.phrases_baseline import _Transcript
from redflare.analysis.pipeline import SentimentAtEnd, SentimentAtStart
from redflare.analysis.scorecard import CriterionResult

# --- redflare/analysis/scorecard.py (_sentiment_window), verbatim ----------------------------------------------------


def _sentiment_window(criterion: SentimentAtStart | SentimentAtEnd, transcript: _Transcript) -> CriterionResult:
    turns = transcript.conversation.turns
    spoken = [index for index in transcript.speaker_turns(criterion.speaker) if turns[index].text.strip()]
    if isinstance(criterion, SentimentAtStart):
        window = spoken[: criterion.first_turns]
    else:
        window = spoken[-criterion.last_turns :]
    used = [index for index in window if transcript.sentiments[index] is not None]
    if not used:
        return CriterionResult(criterion.name, None)
    average = round(fmean(score for index in used if (score := transcript.sentiments[index]) is not None), 4)
    inside = (criterion.above is None or average > criterion.above) and (
        criterion.below is None or average < criterion.below
    )
    return CriterionResult(criterion.name, inside, turn=used[0], value=average)
