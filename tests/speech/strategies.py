"""Hypothesis strategies for speech: time-ordered words and RTTM turns on a shared, coarse time grid.

Times are multiples of 0.05 s so that words touching a pause threshold or a turn boundary exactly happen often.
"""

from __future__ import annotations

from hypothesis import strategies as st

from redflare.domain.conversation import Speaker, Turn
from redflare.speech import Word
from redflare.speech.rttm import RttmTurn

TICK = 0.05


@st.composite
def timed_words(draw: st.DrawFn, max_size: int = 30) -> list[Word]:
    """Time-ordered, non-overlapping words separated by gaps from none to a few seconds."""
    words: list[Word] = []
    cursor = draw(st.integers(0, 40))
    for index in range(draw(st.integers(0, max_size))):
        length = draw(st.integers(1, 12))
        words.append(Word(text=f"w{index}", start_s=round(cursor * TICK, 2), end_s=round((cursor + length) * TICK, 2)))
        cursor += length + draw(st.integers(0, 60))
    return words


@st.composite
def rttm_turns(draw: st.DrawFn) -> list[RttmTurn]:
    """Onset-ordered turns of a few labels, possibly overlapping or leaving gaps."""
    onsets = sorted(draw(st.lists(st.integers(0, 600), min_size=1, max_size=12)))
    labels = st.sampled_from(["spk_a", "spk_b", "spk_c"])
    turns = [
        RttmTurn(
            label=draw(labels),
            onset_s=round(onset * TICK, 2),
            end_s=round((onset + draw(st.integers(1, 80))) * TICK, 2),
        )
        for onset in onsets
    ]
    return sorted(turns, key=lambda turn: (turn.onset_s, turn.end_s))


@st.composite
def turn_streams(draw: st.DrawFn) -> list[list[Turn]]:
    """Per-speaker streams of time-ordered turns (as one channel each gives)."""
    streams: list[list[Turn]] = []
    for speaker in (Speaker.AGENT, Speaker.CUSTOMER):
        words = draw(timed_words(max_size=8))
        streams.append(
            [Turn(speaker=speaker, text=word.text, offset_s=word.start_s, end_s=word.end_s) for word in words]
        )
    return streams
