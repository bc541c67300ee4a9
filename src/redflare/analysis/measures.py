"""Conversation measures: how many turns, who talked, how long nobody did, who cut in, how fast the agent answered.

Contract (system turns are events, never speech, and are ignored by every measure):
- `turn_count(turns)`: the number of agent and customer turns.
- `talk_ratio(turns)`: agent words / (agent + customer words), 0..1; `None` when nobody said a word.
  Words are whitespace-separated tokens, so it works for chats and transcripts alike.
- `talk_time_ratio(turns)`: agent speaking seconds / (agent + customer speaking seconds), 0..1, where a
  turn speaks from `offset_s` to `end_s`; `None` unless every spoken turn has both times and someone spoke
  for some time. Overlapping speech counts for both speakers. Calls use this ratio (`conversation_measures`).
- `silence_s(turns)`: seconds in which nobody spoke, summed over consecutive spoken turns where the
  earlier turn's `end_s` and the next turn's `offset_s` are both known. Overlapping speech counts
  as no silence: a gap is measured from the latest end heard so far, never negative. `None` when
  no such pair exists (the conversation carries no timing).
- `longest_silence_s(turns)`: the longest of those gaps (so never more than `silence_s`); `None` likewise.
- `interruptions(turns)`: how many timed spoken turns start while the other speaker's previous turn (the
  other speaker's latest turn that started strictly earlier) has not ended yet — overlapping turns. A
  turn can only interrupt a turn whose `end_s` is known. `None` when no spoken turn has an `end_s` (chats
  that carry only send times cannot overlap). The earliest turn never interrupts, so the count is at most
  turns − 1. It depends on the times only, not on the order the turns are listed in.
- `agent_response_s(turns)`: mean seconds the customer waited for the agent: from the first customer turn
  the agent has not answered yet (its `end_s`, else its `offset_s` — a chat message's send time) to the
  next agent turn's `offset_s`, never negative; turns are taken in time order. `None` when no timed
  customer turn is ever followed by a timed agent turn.
- `call_response_s(turns)`: the same for calls, where a caller still talking is not waiting: mean seconds from
  the end of the customer's latest speech (its `end_s`, else its `offset_s`) to the agent's next turn's
  `offset_s`, never negative (an agent who cuts in answered at once). `None` likewise.
- `speech_span_s(turns)`: last end (or start) − first start of the timed spoken turns; `None` without timing.
- `conversation_measures(conversation, turns)`: all of them for one conversation (`Measures`). Its
  `talk_ratio` is by time for calls (by words when a call's turns are untimed) and by words otherwise;
  `agent_response_s` is `call_response_s` for calls and `agent_response_s` otherwise; its
  `duration_s` is the conversation's own `duration_s` when known (the recording's or the source's length,
  what billing uses), else the speech span of its turns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import groupby, pairwise

from redflare.domain.conversation import Channel, Conversation, Speaker, Turn


def _spoken(turns: Sequence[Turn]) -> list[Turn]:
    return [turn for turn in turns if turn.speaker is not Speaker.SYSTEM]


def _chronological(turns: Sequence[Turn]) -> list[Turn]:
    """Timed spoken turns in time order; the full key makes the order independent of how they were listed."""
    return _in_time_order(_spoken(turns))


def _in_time_order(spoken: Sequence[Turn]) -> list[Turn]:
    """`_chronological` of turns already known to be spoken."""
    timed = [turn for turn in spoken if turn.offset_s is not None]
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


# Each measure below is a public function of any turns and a private one of the spoken turns (or of those in time
# order, or of the gaps): `conversation_measures` works those out once and hands them to every measure.


def turn_count(turns: Sequence[Turn]) -> int:
    """Number of agent and customer turns."""
    return len(_spoken(turns))


def talk_ratio(turns: Sequence[Turn]) -> float | None:
    """Share of the words the agent said; `None` when no words were said."""
    return _talk_ratio(_spoken(turns))


def _talk_ratio(spoken: Sequence[Turn]) -> float | None:
    agent = customer = 0
    for turn in spoken:
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
    return _talk_time_ratio(_spoken(turns))


def _talk_time_ratio(spoken: Sequence[Turn]) -> float | None:
    agent = customer = 0.0
    for turn in spoken:
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


def _gaps(spoken: Sequence[Turn]) -> list[float]:
    """The silences between consecutive spoken turns whose times allow measuring one."""
    gaps: list[float] = []
    latest_end: float | None = None  # the end of the latest speech heard so far, across overlaps
    for earlier, later in pairwise(spoken):
        if earlier.end_s is not None:
            latest_end = earlier.end_s if latest_end is None else max(latest_end, earlier.end_s)
        if earlier.end_s is None or later.offset_s is None or latest_end is None:
            continue
        gaps.append(max(0.0, later.offset_s - latest_end))
    return gaps


def silence_s(turns: Sequence[Turn]) -> float | None:
    """Seconds of silence between spoken turns; `None` without timing."""
    return _silence(_gaps(_spoken(turns)))


def _silence(gaps: Sequence[float]) -> float | None:
    return round(sum(gaps), 3) if gaps else None


def longest_silence_s(turns: Sequence[Turn]) -> float | None:
    """The longest silence between spoken turns; `None` without timing."""
    return _longest(_gaps(_spoken(turns)))


def _longest(gaps: Sequence[float]) -> float | None:
    return round(max(gaps), 3) if gaps else None


def interruptions(turns: Sequence[Turn]) -> int | None:
    """Turns that start before the other speaker's previous turn ended; `None` when no turn has an end."""
    spoken = _spoken(turns)
    return _interruptions(spoken, _in_time_order(spoken))


def _interruptions(spoken: Sequence[Turn], chronological: Sequence[Turn]) -> int | None:
    if not any(turn.end_s is not None for turn in spoken):
        return None
    # Per speaker: (start, end) of their latest turn so far; of turns starting together, the longest end.
    latest: dict[Speaker, tuple[float, float | None]] = {}
    count = 0
    for _, group in groupby(chronological, key=lambda turn: turn.offset_s):
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
    return _agent_response(_chronological(turns))


def _agent_response(chronological: Sequence[Turn]) -> float | None:
    waits: list[float] = []
    waiting_since: float | None = None
    for turn in chronological:
        if turn.speaker is Speaker.CUSTOMER:
            if waiting_since is None:
                waiting_since = turn.end_s if turn.end_s is not None else turn.offset_s
        elif waiting_since is not None and turn.offset_s is not None:
            waits.append(max(0.0, turn.offset_s - waiting_since))
            waiting_since = None
    return round(sum(waits) / len(waits), 3) if waits else None


def call_response_s(turns: Sequence[Turn]) -> float | None:
    """Mean seconds from the end of the customer's speech to the agent's next turn; `None` if never answered."""
    return _call_response(_chronological(turns))


def _call_response(chronological: Sequence[Turn]) -> float | None:
    # A caller's several segments in a row are one wait, measured from when the caller stopped talking.
    waits: list[float] = []
    stopped: float | None = None
    for turn in chronological:
        if turn.speaker is Speaker.CUSTOMER:
            end = turn.end_s if turn.end_s is not None else turn.offset_s
            if end is not None:
                stopped = end if stopped is None else max(stopped, end)
        elif stopped is not None and turn.offset_s is not None:
            waits.append(max(0.0, turn.offset_s - stopped))
            stopped = None
    return round(sum(waits) / len(waits), 3) if waits else None


def speech_span_s(turns: Sequence[Turn]) -> float | None:
    """Seconds from the first timed spoken turn's start to the last one's end (or start)."""
    return _speech_span(_chronological(turns))


def _speech_span(chronological: Sequence[Turn]) -> float | None:
    if not chronological:
        return None
    first = min(turn.offset_s or 0.0 for turn in chronological)
    last = max(max(turn.offset_s or 0.0, turn.end_s or 0.0) for turn in chronological)
    return round(last - first, 3)


@dataclass(frozen=True, slots=True)
class Measures:
    """Every measure of one conversation; the names are the set columns and `measure_range`'s choices."""

    talk_ratio: float | None = None
    turns: int | None = None
    silence_s: float | None = None
    longest_silence_s: float | None = None
    interruptions: int | None = None
    agent_response_s: float | None = None
    duration_s: float | None = None

    def value(self, name: str) -> float | None:
        """One measure by name (a `MeasureName`)."""
        found: float | int | None = getattr(self, name)
        return None if found is None else float(found)

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def conversation_measures(conversation: Conversation, turns: Sequence[Turn] | None = None) -> Measures:
    """All measures of a conversation; `turns` replace the conversation's own (a transcript's turns)."""
    spoken = _spoken(conversation.turns if turns is None else turns)
    chronological = _in_time_order(spoken)
    gaps = _gaps(spoken)
    call = conversation.channel is Channel.CALL
    ratio = _talk_time_ratio(spoken) if call else None
    return Measures(
        talk_ratio=ratio if ratio is not None else _talk_ratio(spoken),
        turns=len(spoken),
        silence_s=_silence(gaps),
        longest_silence_s=_longest(gaps),
        interruptions=_interruptions(spoken, chronological),
        agent_response_s=_call_response(chronological) if call else _agent_response(chronological),
        duration_s=conversation.duration_s if conversation.duration_s is not None else _speech_span(chronological),
    )
