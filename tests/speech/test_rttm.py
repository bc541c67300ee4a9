"""RTTM parsing, speaker roles and giving words to RTTM turns."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given

from redflare.domain.conversation import Speaker, Turn
from redflare.speech import Word
from redflare.speech.rttm import RttmTurn, assign_words, parse_rttm, rttm_beside, speaker_roles, turns_from_rttm
from tests.speech.strategies import rttm_turns, timed_words


def _as_rttm(turns: list[RttmTurn]) -> str:
    return "".join(
        f"SPEAKER call 1 {turn.onset_s:.3f} {turn.end_s - turn.onset_s:.3f} <NA> <NA> {turn.label} <NA> <NA>\n"
        for turn in turns
    )


class TestParse:
    @given(rttm_turns())
    def test_round_trip(self, turns: list[RttmTurn]) -> None:
        """Written as RTTM and read back, turns keep label, onset and end (to the millisecond)."""
        parsed = parse_rttm(_as_rttm(turns))
        assert [(t.label, t.onset_s, round(t.end_s, 3)) for t in turns] == [
            (t.label, t.onset_s, round(t.end_s, 3)) for t in parsed
        ]

    def test_other_records_and_comments_are_skipped(self) -> None:
        """Only SPEAKER lines are turns; the others, comments and blank lines are ignored."""
        text = (
            "# made by hand\n\n"
            "SPKR-INFO call 1 <NA> <NA> <NA> unknown a <NA> <NA>\n"
            "SPEAKER call 1 2.5 1.0 <NA> <NA> a <NA> <NA>\n"
        )
        assert [RttmTurn("a", 2.5, 3.5)] == parse_rttm(text)

    @pytest.mark.parametrize(
        "line", ["SPEAKER call 1 x 1.0 <NA> <NA> a", "SPEAKER call 1 1.0", "SPEAKER c 1 -1 2 <NA> <NA> a"]
    )
    def test_a_malformed_speaker_line_names_its_line(self, line: str) -> None:
        """A broken SPEAKER line is a ValueError naming the line number."""
        with pytest.raises(ValueError, match="RTTM line 2"):
            parse_rttm("SPEAKER call 1 0 1 <NA> <NA> a <NA> <NA>\n" + line)

    def test_found_beside_the_audio_under_either_name(self, tmp_path: Path) -> None:
        """`call.wav.rttm` is preferred, `call.rttm` also counts, nothing else does."""
        audio = tmp_path / "call.wav"
        assert rttm_beside(audio) is None
        (tmp_path / "call.rttm").write_text("")
        assert tmp_path / "call.rttm" == rttm_beside(audio)
        (tmp_path / "call.wav.rttm").write_text("")
        assert tmp_path / "call.wav.rttm" == rttm_beside(audio)


class TestRoles:
    @given(rttm_turns())
    def test_first_voice_is_the_agent_and_only_it(self, turns: list[RttmTurn]) -> None:
        """The label heard first is the agent; every other label is a customer."""
        roles = speaker_roles(turns)
        assert set(roles) == {turn.label for turn in turns}
        assert [turns[0].label] == [label for label, speaker in roles.items() if speaker is Speaker.AGENT]


class TestAssignWords:
    @given(timed_words(), rttm_turns())
    def test_every_word_lands_in_exactly_one_turn(self, words: list[Word], turns: list[RttmTurn]) -> None:
        """No word is lost or doubled, whatever the overlaps and gaps between turns."""
        buckets = assign_words(words, turns)
        assert len(turns) == len(buckets)
        assert Counter(words) == Counter(word for bucket in buckets for word in bucket)

    @given(timed_words(), rttm_turns())
    def test_a_word_inside_one_turn_only_goes_there(self, words: list[Word], turns: list[RttmTurn]) -> None:
        """A word whose midpoint lies in exactly one turn belongs to that turn."""
        buckets = assign_words(words, turns)
        for word in words:
            middle = (word.start_s + word.end_s) / 2
            homes = [i for i, turn in enumerate(turns) if turn.onset_s <= middle <= turn.end_s]
            if len(homes) == 1:
                assert word in buckets[homes[0]]

    def test_turns_keep_rttm_times_and_an_interjection_gets_its_word(self) -> None:
        """The short overlapping turn gets the word inside it; a turn without words keeps its time, empty."""
        rttm = [RttmTurn("a", 0.0, 4.0), RttmTurn("b", 1.0, 1.5), RttmTurn("b", 5.0, 6.0)]
        words = [Word("so", 0.2, 0.5), Word("oh", 1.1, 1.3), Word("then", 2.0, 2.4)]
        assert [
            Turn(Speaker.AGENT, "so then", 0.0, 4.0),
            Turn(Speaker.CUSTOMER, "oh", 1.0, 1.5),
            Turn(Speaker.CUSTOMER, "", 5.0, 6.0),
        ] == turns_from_rttm(rttm, words)
