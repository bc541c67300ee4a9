"""A recording's speaker turns: split by channel for a two-channel call, else by RTTM or simple diarization."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from redflare.domain.conversation import Speaker, Turn
from redflare.speech.contract import Transcriber
from redflare.speech.diarize import diarize
from redflare.speech.engines import get_transcriber
from redflare.speech.rttm import parse_rttm, rttm_beside, turns_from_rttm
from redflare.speech.turns import merge_by_time, turns_by_pauses, words_of

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000


def transcribe_recording(path: str | Path, transcriber: Transcriber | None = None) -> list[Turn]:
    """The recording's turns in time order: left channel = agent, right = customer; mono by RTTM or diarization.

    Raises `SpeechUnavailable` without the speech extra, `FileNotFoundError` for a missing file and `ValueError` for
    a file that is not readable audio (or a malformed RTTM beside it).
    """
    from redflare.speech.audio import decode_channels

    audio = Path(path)
    if not audio.is_file():
        raise FileNotFoundError(f"audio file not found: {audio}")
    engine = transcriber if transcriber is not None else get_transcriber()
    channels = decode_channels(audio)
    if len(channels) >= 2 and not _same_signal(channels[0], channels[1]):
        agent, customer = (words_of(engine.transcribe(channel, sample_rate=SAMPLE_RATE)) for channel in channels[:2])
        return merge_by_time(turns_by_pauses(Speaker.AGENT, agent), turns_by_pauses(Speaker.CUSTOMER, customer))
    mono = channels[0]
    words = words_of(engine.transcribe(mono, sample_rate=SAMPLE_RATE))
    rttm = rttm_beside(audio)
    if rttm is not None:
        return turns_from_rttm(parse_rttm(rttm.read_text(encoding="utf-8")), words)
    return diarize(words, mono, sample_rate=SAMPLE_RATE)


def _same_signal(left: npt.NDArray[np.float32], right: npt.NDArray[np.float32]) -> bool:
    """A mono recording saved as stereo has identical channels: it is one mixed track, not agent and customer."""
    import numpy as np

    return bool(np.array_equal(left, right))
