"""Today's `analyse()` as the P7 baseline: today's phrase matcher, sentiment scoring and measures, swapped in.

`analyse` itself and the scorecard are the product's; within `installed()` they run with
- the phrase matcher before (`bench.phrases_baseline.installed()`),
- today's sentiment scoring (`bench.sentiment_baseline`: VADER on every spoken turn's text),
- today's measures (`bench.measures_baseline`: each measure goes over the turns on its own), and
- today's sentiment-window criterion (`bench.scorecard_baseline`),
each a verbatim copy of the product's code before P7 changed it, so the baseline keeps costing what today's product
costs even where it used to share code with the product:

    with analyse_baseline.installed():
        outcome = analyse(pipeline, conversation)   # the baseline
    outcome = analyse(pipeline, conversation)       # the product

`clear_caches()` empties both sides' per-process caches of utterance scores. Not thread-safe (it patches module
globals); the benchmark and the tests use it in one thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from bench import measures_baseline, phrases_baseline, scorecard_baseline, sentiment_baseline
from redflare.analysis import analyse, scorecard, sentiment

_SHARED: dict[str, Any] = {
    "turn_sentiments": sentiment_baseline.turn_sentiments,
    "conversation_measures": measures_baseline.conversation_measures,
}
"""Name → today's version, wherever a module below calls it (the scorecard only when not handed them)."""
_SWAPS: list[tuple[ModuleType, str, Any]] = [
    *((module, name, today) for module in (analyse, scorecard, phrases_baseline) for name, today in _SHARED.items()),
    (scorecard, "_sentiment_window", scorecard_baseline._sentiment_window),
]
"""(module, name, today's version) for everything swapped besides the matcher (`phrases_baseline.installed()`)."""


def clear_caches() -> None:
    """Forget the utterance scores both sides cached, so neither reuses sentiment work done before."""
    sentiment.compound.cache_clear()
    sentiment_baseline.compound.cache_clear()


@contextmanager
def installed() -> Iterator[None]:
    """Within the block, `analyse` and `score_conversation` run today's code wherever P7 changed it."""
    saved = [(module, name, getattr(module, name)) for module, name, _ in _SWAPS]
    with phrases_baseline.installed():
        for module, name, today in _SWAPS:
            setattr(module, name, today)
        try:
            yield
        finally:
            for module, name, value in saved:
                setattr(module, name, value)
