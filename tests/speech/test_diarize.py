"""Speaker assignment of the simple diarizer and its pitch measure on real synthetic speech."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.conversation import Speaker
from redflare.speech.diarize import Voice, assign_speakers, voice_of


class TestAssignSpeakers:
    @given(st.lists(st.sampled_from([None, 120.0]), min_size=0, max_size=12))
    def test_without_distinct_voices_speakers_alternate(self, pitches: list[float | None]) -> None:
        """Unknown or equal pitches: the agent speaks first and the speakers take turns."""
        expected = [Speaker.AGENT if index % 2 == 0 else Speaker.CUSTOMER for index in range(len(pitches))]
        assert expected == assign_speakers([Voice(pitch) for pitch in pitches])

    @given(
        st.lists(
            st.tuples(st.booleans(), st.floats(min_value=-0.5, max_value=0.5)),
            min_size=2,
            max_size=9,
        ).filter(lambda turns: len({low for low, _ in turns}) == 2)
    )
    def test_two_clear_voices_are_two_speakers_whoever_speaks_twice(self, turns: list[tuple[bool, float]]) -> None:
        """Voices around 100 Hz and 200 Hz (± half a semitone) are told apart; the first voice is the agent."""
        voices = [Voice((100.0 if low else 200.0) * 2 ** (jitter / 12)) for low, jitter in turns]
        first_low = turns[0][0]
        expected = [Speaker.AGENT if low == first_low else Speaker.CUSTOMER for low, _ in turns]
        assert expected == assign_speakers(voices)


class TestVoiceOf:
    def test_a_rare_outlying_pitch_is_not_a_second_speaker(self) -> None:
        """A short high-pitched exclamation among long turns of one voice does not make a speaker of its own."""
        voices = [Voice(180.0, 3.0), Voice(290.0, 0.4), Voice(185.0, 3.0), Voice(175.0, 3.0), Voice(190.0, 3.0)]
        expected = [Speaker.AGENT, Speaker.CUSTOMER, Speaker.AGENT, Speaker.CUSTOMER, Speaker.AGENT]
        assert expected == assign_speakers(voices)

    def test_pitch_of_espeak_voices(self, tmp_path: Path) -> None:
        """The measured pitch tells a low voice from a high one, as espeak-ng's pitch setting says."""
        from faster_whisper.audio import decode_audio

        pitches = {}
        for name, pitch in (("low", "35"), ("high", "85")):
            wav = tmp_path / f"{name}.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-p", pitch, "-w", str(wav), "How can I help you today?"], check=True
            )
            pitches[name] = voice_of(decode_audio(str(wav))).pitch_hz
        assert pitches["low"] is not None
        assert pitches["high"] is not None
        assert 70 < pitches["low"] < 120 < pitches["high"] < 200

    def test_silence_has_no_pitch(self) -> None:
        """Silent or very short samples give no pitch, so the diarizer falls back to alternation."""
        import numpy as np

        assert voice_of(np.zeros(16_000, dtype=np.float32)).pitch_hz is None
        assert voice_of(np.zeros(100, dtype=np.float32)).pitch_hz is None
