"""Decoding a recording (WAV, FLAC, MP3, anything FFmpeg reads) into 16 kHz float32 samples per channel.

A two-channel file answers (left, right); a mono file answers one channel. Files with more than two channels are
mixed down to stereo by FFmpeg's resampler, so the first two speakers' channels rule. PyAV and numpy come with the
`speech` extra and are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redflare.speech.contract import SPEECH_EXTRA_MISSING, SpeechUnavailable

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Samples = npt.NDArray[np.float32]

SAMPLE_RATE = 16_000


@contextmanager
def _opened(path: Path) -> Iterator[Any]:
    """The file opened with PyAV; an unreadable file is a ValueError naming it."""
    try:
        import av
    except ImportError as exc:
        raise SpeechUnavailable(SPEECH_EXTRA_MISSING) from exc
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as container:
            yield container
    except av.FFmpegError as exc:
        raise ValueError(f"cannot read audio file {path}: {exc}") from exc


def channel_count(path: Path) -> int:
    """How many channels the file's first audio stream has (raises ValueError when it has none or is unreadable)."""
    with _opened(path) as container:
        if not container.streams.audio:
            raise ValueError(f"no audio stream in {path}")
        return int(container.streams.audio[0].codec_context.channels)


def recording_seconds(path: Path) -> float:
    """How long the recording lasts, in seconds (from its container, or its first audio stream)."""
    import av  # present: _opened has checked

    with _opened(path) as container:
        if container.duration is not None:
            return round(float(container.duration) / av.time_base, 3)
        stream = container.streams.audio[0] if container.streams.audio else None
        if stream is None or stream.duration is None or stream.time_base is None:
            raise ValueError(f"cannot tell how long {path} lasts")
        return round(float(stream.duration * stream.time_base), 3)


def decode_channels(path: Path) -> tuple[Samples, ...]:
    """The file's speech as 16 kHz mono float32 arrays: (left, right) for a stereo file, (mono,) otherwise."""
    try:
        import av
        from faster_whisper.audio import decode_audio
    except ImportError as exc:
        raise SpeechUnavailable(SPEECH_EXTRA_MISSING) from exc

    stereo = channel_count(path) >= 2
    try:
        decoded = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=stereo)
    except av.FFmpegError as exc:
        raise ValueError(f"cannot decode audio file {path}: {exc}") from exc
    channels: tuple[Samples, ...] = tuple(decoded) if stereo else (decoded,)
    return channels
