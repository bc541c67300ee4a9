"""Today's conversation measures, kept verbatim as part of the P7 baseline (`bench/analyse_baseline.py`).

Copied unchanged from `redflare.analysis.measures` as of commit a79e222 (its last change), all of it but the
`Measures` class, imported instead so both sides hand the scorecard the same type. This is before
`conversation_measures` worked out the spoken turns, their time order and the gaps once for every measure: here each
measure filters the turns itself, and each one needing the time order sorts them again.
"""

# --- redflare/analysis/measures.py (all but Measures), verbatim ------------------------------------------------------

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby, pairwise

from redflare.analysis.measures import Measures
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn


def _spoken(turns: Sequence[Turn]) -> list[Turn]:
    return [turn for turn in turns if turn.speaker is not Speaker.SYSTEM]


def _chronological(turns: Sequence[Turn]) -> list[Turn]:
    """Timed spoken turns in time order; the full key makes the order independent of how they were listed."""
    timed = [turn for turn in _spoken(turns) if turn.offset_s is not None]
    return sorted(
        timed,
        key=lambda turn: (
            turn.offset_s,
            turn.end_s is None,
            turn.end_s or 0.0,
            turn.speaker.value,
            turn.text,
        ),
    )


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


def talk_time_ratio(turns: Sequence[Turn]) -> float | None:
    """Share of the speaking time that was the agent's; `None` unless every spoken turn is timed."""
    agent = customer = 0.0
    for turn in _spoken(turns):
        if turn.offset_s is None or turn.end_s is None:
            return None
        seconds = max(0.0, turn.end_s - turn.offset_s)
        if turn.speaker is Speaker.AGENT:
            agent += seconds
        else:
            customer += seconds
    if agent + customer <= 0:
        return None
    return round(agent / (agent + customer), 4)


def _gaps(turns: Sequence[Turn]) -> list[float]:
    """The silences between consecutive spoken turns whose times allow measuring one."""
    gaps: list[float] = []
    latest_end: float | None = None  # the end of the latest speech heard so far, across overlaps
    for earlier, later in pairwise(_spoken(turns)):
        if earlier.end_s is not None:
            latest_end = earlier.end_s if latest_end is None else max(latest_end, earlier.end_s)
        if earlier.end_s is None or later.offset_s is None or latest_end is None:
            continue
        gaps.append(max(0.0, later.offset_s - latest_end))
    return gaps


def silence_s(turns: Sequence[Turn]) -> float | None:
    """Seconds of silence between spoken turns; `None` without timing."""
    gaps = _gaps(turns)
    return round(sum(gaps), 3) if gaps else None


def longest_silence_s(turns: Sequence[Turn]) -> float | None:
    """The longest silence between spoken turns; `None` without timing."""
    gaps = _gaps(turns)
    return round(max(gaps), 3) if gaps else None


def interruptions(turns: Sequence[Turn]) -> int | None:
    """Turns that start before the other speaker's previous turn ended; `None` when no turn has an end."""
    if not any(turn.end_s is not None for turn in _spoken(turns)):
        return None
    # Per speaker: (start, end) of their latest turn so far; of turns starting together, the longest end.
    latest: dict[Speaker, tuple[float, float | None]] = {}
    count = 0
    for _, group in groupby(_chronological(turns), key=lambda turn: turn.offset_s):
        together = list(group)
        # Turns starting at the same moment are judged against what came strictly before, never each other.
        for turn in together:
            other = latest.get(Speaker.CUSTOMER if turn.speaker is Speaker.AGENT else Speaker.AGENT)
            if other is not None and other[1] is not None and turn.offset_s is not None and other[1] > turn.offset_s:
                count += 1
        for turn in together:
            start = turn.offset_s or 0.0
            previous = latest.get(turn.speaker)
            end = turn.end_s
            if previous is not None and previous[0] == start and previous[1] is not None:
                end = previous[1] if end is None else max(end, previous[1])
            latest[turn.speaker] = (start, end)
    return count


def agent_response_s(turns: Sequence[Turn]) -> float | None:
    """Mean seconds from the customer's first unanswered turn to the agent's next turn; `None` if never answered."""
    waits: list[float] = []
    waiting_since: float | None = None
    for turn in _chronological(turns):
        if turn.speaker is Speaker.CUSTOMER:
            if waiting_since is None:
                waiting_since = turn.end_s if turn.end_s is not None else turn.offset_s
        elif waiting_since is not None and turn.offset_s is not None:
            waits.append(max(0.0, turn.offset_s - waiting_since))
            waiting_since = None
    return round(sum(waits) / len(waits), 3) if waits else None


def speech_span_s(turns: Sequence[Turn]) -> float | None:
    """Seconds from the first timed spoken turn's start to the last one's end (or start)."""
    timed = _chronological(turns)
    if not timed:
        return None
    first = min(turn.offset_s or 0.0 for turn in timed)
    last = max(max(turn.offset_s or 0.0, turn.end_s or 0.0) for turn in timed)
    return round(last - first, 3)


def conversation_measures(conversation: Conversation, turns: Sequence[Turn] | None = None) -> Measures:
    """All measures of a conversation; `turns` replace the conversation's own (a transcript's turns)."""
    spoken = conversation.turns if turns is None else turns
    ratio = talk_time_ratio(spoken) if conversation.channel is Channel.CALL else None
    return Measures(
        talk_ratio=ratio if ratio is not None else talk_ratio(spoken),
        turns=turn_count(spoken),
        silence_s=silence_s(spoken),
        longest_silence_s=longest_silence_s(spoken),
        interruptions=interruptions(spoken),
        agent_response_s=None if conversation.channel is Channel.CALL else agent_response_s(spoken),
        duration_s=conversation.duration_s if conversation.duration_s is not None else speech_span_s(spoken),
    )
