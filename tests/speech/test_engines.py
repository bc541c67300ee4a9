"""Choosing the transcriber: REDFLARE_TRANSCRIBER, one model per process, and life without the speech extra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from redflare.domain.conversation import Speaker, Turn
from redflare.speech import TRANSCRIBER_ENV, get_transcriber, transcribe_recording
from redflare.speech.whisper import WhisperTranscriber, default_model_path
from tests.speech.fixed_engine import FixedWordsEngine
from tests.speech.synthetic_call import ScriptedCall

REPO = Path(__file__).resolve().parents[2]


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, check=False)


class TestGetTranscriber:
    def test_default_is_whisper_tiny_loaded_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without configuration the process reuses one Whisper tiny.en model for every call."""
        monkeypatch.delenv(TRANSCRIBER_ENV, raising=False)
        first = get_transcriber()
        assert isinstance(first, WhisperTranscriber)
        assert first.model_path == default_model_path()
        assert first is get_transcriber()

    def test_a_model_folder(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A folder path names a faster-whisper model to use instead (here the same tiny.en weights)."""
        monkeypatch.setenv(TRANSCRIBER_ENV, str(default_model_path()))
        engine = get_transcriber()
        assert isinstance(engine, WhisperTranscriber)
        assert engine.model_path == default_model_path()

    def test_a_factory_engine(self, monkeypatch: pytest.MonkeyPatch, scripted_call: ScriptedCall) -> None:
        """`module:factory` plugs in another engine, which transcribe_recording then uses per channel."""
        monkeypatch.setenv(TRANSCRIBER_ENV, "tests.speech.fixed_engine:make")
        assert isinstance(get_transcriber(), FixedWordsEngine)
        expected = [
            Turn(speaker=Speaker.AGENT, text="hello there", offset_s=1.0, end_s=1.9),
            Turn(speaker=Speaker.CUSTOMER, text="hello there", offset_s=1.0, end_s=1.9),
        ]
        assert expected == transcribe_recording(scripted_call.stereo)

    def test_a_setting_that_names_nothing(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A setting that is neither whisper, a folder nor module:factory is refused with the variable's name."""
        monkeypatch.setenv(TRANSCRIBER_ENV, "/no/such/model")
        with pytest.raises(ValueError, match=TRANSCRIBER_ENV):
            get_transcriber()


class TestWithoutTheSpeechExtra:
    def test_importing_speech_loads_nothing_heavy(self) -> None:
        """`import redflare.speech` loads neither faster-whisper, PyAV nor numpy."""
        result = _python(
            "import sys, redflare.speech\n"
            "print(sorted(m for m in ('faster_whisper', 'av', 'numpy', 'ctranslate2') if m in sys.modules))"
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"

    def test_asking_for_a_transcriber_says_the_extra_is_missing(self, scripted_call: ScriptedCall) -> None:
        """Without faster-whisper, get_transcriber and transcribe_recording raise SpeechUnavailable with the hint."""
        result = _python(
            "import sys\n"
            "sys.modules['faster_whisper'] = None\n"
            "from redflare.speech import SPEECH_EXTRA_MISSING, SpeechUnavailable, get_transcriber, "
            "transcribe_recording\n"
            "for attempt in (get_transcriber, lambda: transcribe_recording(sys.argv[1])):\n"
            "    try:\n"
            "        attempt()\n"
            "    except SpeechUnavailable as exc:\n"
            "        assert str(exc) == SPEECH_EXTRA_MISSING, exc\n"
            "        print('unavailable')\n",
            str(scripted_call.stereo),
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["unavailable", "unavailable"]
