"""RTTM speaker turns (NIST Rich Transcription Time Marked), the diarization a source may ship beside a recording.

Only `SPEAKER` lines count: `SPEAKER <file> <channel> <onset> <duration> <NA> <NA> <label> <NA> <NA>`. The file id is
ignored (one RTTM belongs to the one recording beside it). Labels become speakers in order of first appearance:
the first is the agent, every other the customer (calls are two-party; a third voice is rarely the agent).

Each RTTM turn becomes one conversation turn with the recognised words whose midpoint falls inside it. A word inside
two overlapping turns goes to the shorter one (the interjection, not the long turn it cuts into); a word inside none
goes to the nearest turn, so no recognised word is lost to a timing mismatch. Turns that get no words are kept with
empty text: the RTTM is the better witness of who spoke when, and talk-time, silence and interruption measures need
those times even when the recogniser heard nothing it could spell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from redflare.domain.conversation import Speaker, Turn
from redflare.speech.contract import Word


@dataclass(frozen=True, slots=True)
class RttmTurn:
    label: str
    onset_s: float
    end_s: float


def rttm_beside(audio: Path) -> Path | None:
    """`<audio file name>.rttm` (e.g. call.wav.rttm) or `<audio stem>.rttm` (call.rttm) beside the audio, if any."""
    for candidate in (audio.with_name(audio.name + ".rttm"), audio.with_suffix(".rttm")):
        if candidate.is_file():
            return candidate
    return None


def parse_rttm(text: str) -> list[RttmTurn]:
    """The SPEAKER turns of an RTTM text, in order of onset; raises ValueError naming a malformed line."""
    turns: list[RttmTurn] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue  # comments, blank lines and the other RTTM record types say nothing about who speaks when
        try:
            if len(fields) < 8:
                raise ValueError("expected at least 8 fields")
            onset, duration = float(fields[3]), float(fields[4])
            if onset < 0 or duration < 0:
                raise ValueError("negative onset or duration")
        except ValueError as exc:
            raise ValueError(f"RTTM line {number} is not a SPEAKER turn ({exc}): {line.strip()!r}") from exc
        turns.append(RttmTurn(label=fields[7], onset_s=onset, end_s=onset + duration))
    return sorted(turns, key=lambda turn: (turn.onset_s, turn.end_s))


def speaker_roles(turns: Sequence[RttmTurn]) -> dict[str, Speaker]:
    """Each label's speaker: the first label heard is the agent, all others are customers."""
    roles: dict[str, Speaker] = {}
    for turn in turns:
        roles.setdefault(turn.label, Speaker.AGENT if not roles else Speaker.CUSTOMER)
    return roles


def assign_words(words: Sequence[Word], turns: Sequence[RttmTurn]) -> list[list[Word]]:
    """For each turn (same order), the words that belong to it; every word lands in exactly one turn."""
    buckets: list[list[Word]] = [[] for _ in turns]
    if not turns:
        return buckets
    for word in words:
        buckets[_home_of(word, turns)].append(word)
    return buckets


def turns_from_rttm(rttm: Sequence[RttmTurn], words: Sequence[Word]) -> list[Turn]:
    """One conversation turn per RTTM turn, with the RTTM's times and the words assigned to it."""
    roles = speaker_roles(rttm)
    return [
        Turn(
            speaker=roles[turn.label],
            text=" ".join(word.text for word in sorted(bucket, key=lambda word: word.start_s)),
            offset_s=round(turn.onset_s, 3),
            end_s=round(turn.end_s, 3),
        )
        for turn, bucket in zip(rttm, assign_words(words, rttm), strict=True)
    ]


def _home_of(word: Word, turns: Sequence[RttmTurn]) -> int:
    middle = (word.start_s + word.end_s) / 2
    inside = [index for index, turn in enumerate(turns) if turn.onset_s <= middle <= turn.end_s]
    if inside:
        return min(inside, key=lambda index: (turns[index].end_s - turns[index].onset_s, index))
    return min(
        range(len(turns)),
        key=lambda index: (max(turns[index].onset_s - middle, middle - turns[index].end_s), index),
    )
