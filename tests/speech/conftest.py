"""Speech fixtures: one transcriber per test process and the synthetic calls, built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflare.speech import Transcriber, get_transcriber
from tests.speech.synthetic_call import ScriptedCall, build_call

PYANNOTE_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "audio_samples" / "pyannote_sample"


@pytest.fixture(scope="session")
def transcriber() -> Transcriber:
    """The default engine (Whisper tiny.en), loaded once: loading costs about a second."""
    return get_transcriber()


@pytest.fixture(scope="session")
def scripted_call(tmp_path_factory: pytest.TempPathFactory) -> ScriptedCall:
    return build_call(tmp_path_factory.mktemp("scripted_call"))
