"""Conversation measures: how many turns, who talked, and how long nobody did.

Contract (system turns are events, never speech, and are ignored by every measure):
- `turn_count(turns)`: the number of agent and customer turns.
- `talk_ratio(turns)`: agent words / (agent + customer words), 0..1; `None` when nobody said a word.
  Words are whitespace-separated tokens, so it works for chats and transcripts alike.
- `silence_s(turns)`: seconds in which nobody spoke, summed over consecutive spoken turns where the
  earlier turn's `end_s` and the next turn's `offset_s` are both known. Overlapping speech counts
  as no silence: a gap is measured from the latest end heard so far, never negative. `None` when
  no such pair exists (the conversation carries no timing).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from redflare.domain.conversation import Speaker, Turn


def _spoken(turns: Sequence[Turn]) -> list[Turn]:
    return [turn for turn in turns if turn.speaker is not Speaker.SYSTEM]


def turn_count(turns: Sequence[Turn]) -> int:
    """Number of agent and customer turns."""
    return len(_spoken(turns))


def talk_ratio(turns: Sequence[Turn]) -> float | None:
    """Share of the words the agent said; `None` when no words were said."""
    agent = customer = 0
    for turn in _spoken(turns):
        words = len(turn.text.split())
        if turn.speaker is Speaker.AGENT:
            agent += words
        else:
            customer += words
    if agent + customer == 0:
        return None
    return round(agent / (agent + customer), 4)


def silence_s(turns: Sequence[Turn]) -> float | None:
    """Seconds of silence between spoken turns; `None` without timing."""
    spoken = _spoken(turns)
    total: float | None = None
    latest_end: float | None = None  # the end of the latest speech heard so far, across overlaps
    for earlier, later in pairwise(spoken):
        if earlier.end_s is not None:
            latest_end = earlier.end_s if latest_end is None else max(latest_end, earlier.end_s)
        if earlier.end_s is None or later.offset_s is None or latest_end is None:
            continue
        total = (total or 0.0) + max(0.0, later.offset_s - latest_end)
    return None if total is None else round(total, 3)
