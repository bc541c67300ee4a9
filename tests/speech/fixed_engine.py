"""A plug-in transcription engine for the `module:factory` setting: it hears the same two words in any audio.

It stands in for a hosted engine's client (which cannot be reached from the tests); it is a real `Transcriber`
plugged in by configuration, not a replacement of redflare's own code.
"""

from __future__ import annotations

from redflare.speech import Segment, Word


class FixedWordsEngine:
    def transcribe(self, samples: object, *, sample_rate: int = 16_000) -> list[Segment]:
        words = (Word("hello", 1.0, 1.4), Word("there", 1.5, 1.9))
        return [Segment(text="hello there", start_s=1.0, end_s=1.9, words=words)]


def make() -> FixedWordsEngine:
    return FixedWordsEngine()
