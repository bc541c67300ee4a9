"""Measures: spoken turns, the agent's share of words, and silence from timing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from redflare.analysis.measures import silence_s, talk_ratio, turn_count
from redflare.domain.conversation import Speaker, Turn

words = st.lists(st.sampled_from(["yes", "no", "refund", "please", "order", "thanks"]), max_size=8).map(" ".join)
turns_strategy = st.lists(st.builds(Turn, st.sampled_from(list(Speaker)), words), max_size=15)


class TestTurnCount:
    def test_counts_agent_and_customer_turns_only(self) -> None:
        """System events (e.g. "account pulled up") are not turns anyone took."""
        turns = [Turn(Speaker.AGENT, "hi"), Turn(Speaker.SYSTEM, "lookup"), Turn(Speaker.CUSTOMER, "hello")]
        assert turn_count(turns) == 2

    @given(turns_strategy)
    def test_equals_the_spoken_turns(self, turns: list[Turn]) -> None:
        """The count never includes system events and never misses a spoken turn."""
        assert sum(1 for turn in turns if turn.speaker is not Speaker.SYSTEM) == turn_count(turns)


class TestTalkRatio:
    def test_share_of_words_not_of_turns(self) -> None:
        """One long agent turn against two short customer turns counts the words said."""
        turns = [
            Turn(Speaker.AGENT, "let me check that order for you"),
            Turn(Speaker.CUSTOMER, "ok"),
            Turn(Speaker.CUSTOMER, "thanks"),
            Turn(Speaker.SYSTEM, "searching the order database now"),
        ]
        assert round(7 / 9, 4) == talk_ratio(turns)

    def test_none_without_words(self) -> None:
        """Nothing said means no ratio rather than a misleading 0."""
        assert talk_ratio([Turn(Speaker.AGENT, "  "), Turn(Speaker.SYSTEM, "event")]) is None

    @given(turns_strategy)
    def test_swapping_roles_mirrors_the_ratio(self, turns: list[Turn]) -> None:
        """The customer's share is one minus the agent's, and both lie within 0..1."""
        swap = {Speaker.AGENT: Speaker.CUSTOMER, Speaker.CUSTOMER: Speaker.AGENT, Speaker.SYSTEM: Speaker.SYSTEM}
        ratio = talk_ratio(turns)
        mirrored = talk_ratio([Turn(swap[turn.speaker], turn.text) for turn in turns])
        if ratio is None:
            assert mirrored is None
        else:
            assert mirrored is not None
            assert 0.0 <= ratio <= 1.0
            assert abs(ratio + mirrored - 1.0) <= 1e-4


class TestSilence:
    def test_sums_gaps_between_turns(self) -> None:
        """Gaps between one turn's end and the next one's start add up."""
        turns = [
            Turn(Speaker.AGENT, "hello", offset_s=0.0, end_s=2.0),
            Turn(Speaker.CUSTOMER, "hi", offset_s=5.0, end_s=6.0),
            Turn(Speaker.AGENT, "how can i help", offset_s=6.5, end_s=8.0),
        ]
        assert silence_s(turns) == (5.0 - 2.0) + (6.5 - 6.0)

    def test_none_without_timing(self) -> None:
        """A chat without timestamps has no silence figure, not a silence of zero."""
        assert silence_s([Turn(Speaker.AGENT, "hello"), Turn(Speaker.CUSTOMER, "hi")]) is None

    def test_overlapping_speech_is_not_silence(self) -> None:
        """A short interjection during a long turn does not create silence after it."""
        turns = [
            Turn(Speaker.AGENT, "long explanation", offset_s=0.0, end_s=10.0),
            Turn(Speaker.CUSTOMER, "mm-hm", offset_s=2.0, end_s=3.0),
            Turn(Speaker.AGENT, "so that is it", offset_s=11.0, end_s=12.0),
        ]
        assert silence_s(turns) == 11.0 - 10.0

    def test_system_events_and_untimed_pairs_are_skipped(self) -> None:
        """Only pairs of spoken turns with both times known count."""
        turns = [
            Turn(Speaker.AGENT, "hello", offset_s=0.0, end_s=1.0),
            Turn(Speaker.SYSTEM, "lookup", offset_s=1.5, end_s=1.5),
            Turn(Speaker.CUSTOMER, "hi", offset_s=4.0),  # end unknown
            Turn(Speaker.AGENT, "ok", offset_s=9.0, end_s=9.5),
        ]
        assert silence_s(turns) == 4.0 - 1.0

    @given(st.lists(st.tuples(st.floats(0, 30), st.floats(0, 30)), min_size=2, max_size=12))
    def test_back_to_back_turns_sum_their_gaps(self, spans: list[tuple[float, float]]) -> None:
        """For turns that follow one another, silence is the sum of the pauses, never negative."""
        turns, clock, expected = [], 0.0, 0.0
        for index, (pause, length) in enumerate(spans):
            if index:
                expected += pause
                clock += pause
            turns.append(Turn(Speaker.AGENT if index % 2 else Speaker.CUSTOMER, "x", clock, clock + length))
            clock += length
        result = silence_s(turns)
        assert result is not None
        assert abs(expected - result) <= 1e-3 * len(spans)

    @given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 20)), min_size=2, max_size=12))
    def test_silence_fits_within_the_conversation(self, spans: list[tuple[float, float]]) -> None:
        """However turns overlap, silence is never negative and never longer than the time they span."""
        turns = [Turn(Speaker.AGENT, "x", start, start + length) for start, length in sorted(spans)]
        result = silence_s(turns)
        assert result is not None
        first_start = turns[0].offset_s or 0.0
        last_start = turns[-1].offset_s or 0.0
        assert 0.0 <= result <= last_start - first_start + 1e-3
