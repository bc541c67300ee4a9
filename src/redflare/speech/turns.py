"""Pure turn-making: words from segments, a speaker's words cut into turns at pauses, speakers' turns merged by time.

No audio and no model here: these functions take the recogniser's `Word`s and answer domain `Turn`s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from redflare.domain.conversation import Speaker, Turn
from redflare.speech.contract import Segment, Word

# A pause longer than this inside one speaker's speech starts a new turn: long enough to span the breath between
# sentences, short enough that a reply after a real silence is its own turn (so silence measures see the gap).
TURN_PAUSE_S = 0.8


def words_of(segments: Iterable[Segment]) -> list[Word]:
    """The segments' words in time order; a segment without word timings counts as one word spanning it."""
    words: list[Word] = []
    for segment in segments:
        if segment.words:
            words.extend(segment.words)
        elif segment.text.strip():
            words.append(Word(text=segment.text.strip(), start_s=segment.start_s, end_s=segment.end_s))
    return sorted(words, key=lambda word: (word.start_s, word.end_s))


def split_at_pauses(words: Sequence[Word], *, pause_s: float = TURN_PAUSE_S) -> list[list[Word]]:
    """Consecutive runs of time-ordered words, cut wherever the gap between two words exceeds `pause_s`."""
    runs: list[list[Word]] = []
    for word in words:
        if runs and word.start_s - runs[-1][-1].end_s <= pause_s:
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def turn_of(speaker: Speaker, words: Sequence[Word]) -> Turn:
    """One turn: the words' text joined by spaces, from the first word's start to the last word's end."""
    return Turn(
        speaker=speaker,
        text=" ".join(word.text for word in words),
        offset_s=round(words[0].start_s, 3),
        end_s=round(max(word.end_s for word in words), 3),
    )


def turns_by_pauses(speaker: Speaker, words: Sequence[Word], *, pause_s: float = TURN_PAUSE_S) -> list[Turn]:
    """A single speaker's words (one channel of a call) as that speaker's turns, cut at pauses."""
    return [turn_of(speaker, run) for run in split_at_pauses(words, pause_s=pause_s)]


def merge_by_time(*streams: Iterable[Turn]) -> list[Turn]:
    """All speakers' turns in order of start time; overlapping turns stay as they are (they are interruptions).

    Ties keep the streams' order (the first stream's turn first), so the result is deterministic.
    """
    tagged = [(turn, order) for order, stream in enumerate(streams) for turn in stream]
    tagged.sort(key=lambda item: (item[0].offset_s or 0.0, item[1], item[0].end_s or 0.0))
    return [turn for turn, _order in tagged]
