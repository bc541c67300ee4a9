"""transcribe_recording on real audio: a scripted espeak-ng call (stereo and mono) and the pyannote sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from redflare.domain.conversation import Speaker, Turn
from redflare.speech import Transcriber, transcribe_recording
from tests.speech.conftest import PYANNOTE_SAMPLE
from tests.speech.synthetic_call import ScriptedCall, ScriptedLine, build_call
from tests.speech.wer import word_error_rate

TIME_TOLERANCE_S = 1.0


def _script_text(lines: tuple[ScriptedLine, ...]) -> str:
    return " ".join(line.text for line in lines)


def _transcript_text(turns: list[Turn]) -> str:
    return " ".join(turn.text for turn in turns)


def _assert_follows_script(turns: list[Turn], lines: tuple[ScriptedLine, ...]) -> None:
    assert [line.speaker for line in lines] == [turn.speaker for turn in turns]
    for turn, line in zip(turns, lines, strict=True):
        assert turn.offset_s is not None
        assert turn.end_s is not None
        assert abs(turn.offset_s - line.start_s) <= TIME_TOLERANCE_S, (turn, line)
        assert abs(turn.end_s - line.end_s) <= TIME_TOLERANCE_S, (turn, line)


class TestTwoChannelCall:
    def test_words_are_right(self, scripted_call: ScriptedCall, transcriber: Transcriber) -> None:
        """Clear synthetic speech transcribes with a word error rate under 25%."""
        turns = transcribe_recording(scripted_call.stereo, transcriber)
        assert word_error_rate(_script_text(scripted_call.lines), _transcript_text(turns)) < 0.25

    def test_each_line_is_a_turn_of_its_channels_speaker_at_its_time(
        self, scripted_call: ScriptedCall, transcriber: Transcriber
    ) -> None:
        """Left channel = agent, right = customer; every scripted line is one turn within a second of its time."""
        turns = transcribe_recording(str(scripted_call.stereo), transcriber)
        _assert_follows_script(turns, scripted_call.lines)

    def test_overlapping_speech_stays_as_two_turns(self, tmp_path: Path, transcriber: Transcriber) -> None:
        """A customer who talks over the agent keeps an overlapping turn (an interruption), in start-time order."""
        script = (
            (Speaker.AGENT, "Our records show that the parcel was delivered to your front door on Monday morning."),
            (Speaker.CUSTOMER, "No, that is not right, nobody came to the door."),
        )
        call = build_call(tmp_path, script, gap_s=-2.0)
        turns = transcribe_recording(call.stereo, transcriber)
        assert [turn.speaker for turn in turns] == [Speaker.AGENT, Speaker.CUSTOMER]
        agent, customer = turns
        assert customer.offset_s is not None
        assert agent.end_s is not None
        assert customer.offset_s < agent.end_s


class TestMonoWithRttm:
    def test_pyannote_sample_turns_follow_its_rttm(self, tmp_path: Path, transcriber: Transcriber) -> None:
        """The 30-second two-speaker sample transcribes, one turn per RTTM turn with the RTTM's times."""
        audio = tmp_path / "x.wav"
        shutil.copy(PYANNOTE_SAMPLE / "sample.wav", audio)
        shutil.copy(PYANNOTE_SAMPLE / "sample.rttm", tmp_path / "x.rttm")
        rttm_rows = [line.split() for line in (PYANNOTE_SAMPLE / "sample.rttm").read_text().splitlines()]

        turns = transcribe_recording(audio, transcriber)

        assert [(float(row[3]), round(float(row[3]) + float(row[4]), 3)) for row in rttm_rows] == [
            (turn.offset_s, turn.end_s) for turn in turns
        ]
        roles = {Speaker.AGENT: "speaker90", Speaker.CUSTOMER: "speaker91"}  # speaker90 speaks first
        assert [row[7] for row in rttm_rows] == [roles[turn.speaker] for turn in turns]
        assert len(_transcript_text(turns).split()) > 20  # the speech was heard, not just the RTTM copied

    def test_rttm_named_after_the_file_gives_script_speakers(
        self, scripted_call: ScriptedCall, transcriber: Transcriber, tmp_path: Path
    ) -> None:
        """`<audio>.wav.rttm` turns carry the words spoken in them: right speakers, right words."""
        audio = tmp_path / "mono.wav"
        shutil.copy(scripted_call.mono, audio)
        labels = {Speaker.AGENT: "spk_a", Speaker.CUSTOMER: "spk_b"}
        (tmp_path / "mono.wav.rttm").write_text(
            "".join(
                f"SPEAKER mono 1 {line.start_s:.3f} {line.end_s - line.start_s:.3f} <NA> <NA> "
                f"{labels[line.speaker]} <NA> <NA>\n"
                for line in scripted_call.lines
            )
        )
        turns = transcribe_recording(audio, transcriber)
        _assert_follows_script(turns, scripted_call.lines)
        for turn, line in zip(turns, scripted_call.lines, strict=True):
            # Per line a little looser than the whole call's 25%: one misheard word weighs more in a short line.
            assert word_error_rate(line.text, turn.text) < 0.35, (turn, line)


class TestMonoDiarized:
    def test_mono_call_gets_turns_at_plausible_times(
        self, scripted_call: ScriptedCall, transcriber: Transcriber
    ) -> None:
        """Without RTTM the diarizer cuts the mono call into turns at its pauses, speakers told apart by voice."""
        turns = transcribe_recording(scripted_call.mono, transcriber)
        assert len(turns) >= 2
        assert word_error_rate(_script_text(scripted_call.lines), _transcript_text(turns)) < 0.25
        _assert_follows_script(turns, scripted_call.lines)

    def test_a_speaker_talking_twice_in_a_row_is_told_by_pitch(self, tmp_path: Path, transcriber: Transcriber) -> None:
        """Two agent lines in a row stay the agent's: pitch, not mere alternation, names the speaker."""
        script = (
            (Speaker.AGENT, "Thank you for waiting, I am checking your account now."),
            (Speaker.AGENT, "I can see the payment from Tuesday in our system."),
            (Speaker.CUSTOMER, "Good, so can you send the money back to my card?"),
            (Speaker.AGENT, "Yes, the refund will reach your card within five days."),
        )
        call = build_call(tmp_path, script)
        turns = transcribe_recording(call.mono, transcriber)
        _assert_follows_script(turns, call.lines)


class TestUnreadable:
    def test_missing_file(self, tmp_path: Path, transcriber: Transcriber) -> None:
        """A missing recording is an OSError that names the file."""
        with pytest.raises(FileNotFoundError, match=r"nowhere\.wav"):
            transcribe_recording(tmp_path / "nowhere.wav", transcriber)

    def test_not_audio(self, tmp_path: Path, transcriber: Transcriber) -> None:
        """A file that is not audio is a ValueError that names the file."""
        bogus = tmp_path / "notes.wav"
        bogus.write_text("these are meeting notes, not a recording\n" * 20)
        with pytest.raises(ValueError, match=r"notes\.wav"):
            transcribe_recording(bogus, transcriber)
