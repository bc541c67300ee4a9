"""Measures: spoken turns, the agent's share of words, and silence from timing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, get_args

from hypothesis import given
from hypothesis import strategies as st

from bench import measures_baseline
from redflare.analysis.measures import (
    Measures,
    agent_response_s,
    call_response_s,
    conversation_measures,
    interruptions,
    longest_silence_s,
    silence_s,
    speech_span_s,
    talk_ratio,
    talk_time_ratio,
    turn_count,
)
from redflare.analysis.pipeline import MeasureName
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn

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


speakers = st.sampled_from([Speaker.AGENT, Speaker.CUSTOMER])
# Timed turns as a call's transcript has them: a start and a length each, in any order and overlapping.
timed_turns = st.lists(
    st.builds(
        lambda speaker, start, length: Turn(speaker, "word " * 3, round(start, 2), round(start + length, 2)),
        speakers,
        st.floats(0, 600, allow_nan=False),
        st.floats(0, 60, allow_nan=False),
    ),
    min_size=1,
    max_size=12,
)


def chronological(turns: list[Turn]) -> list[Turn]:
    return sorted(turns, key=lambda turn: (turn.offset_s or 0.0, turn.end_s or 0.0))


class TestLongestSilence:
    def test_the_longest_gap(self) -> None:
        """Of the pauses 3 s and 0.5 s, the longest is 3 s."""
        turns = [
            Turn(Speaker.AGENT, "hello", 0.0, 2.0),
            Turn(Speaker.CUSTOMER, "hi", 5.0, 6.0),
            Turn(Speaker.AGENT, "how can i help", 6.5, 8.0),
        ]
        assert longest_silence_s(turns) == 3.0

    def test_none_without_timing(self) -> None:
        """No timing, no silence figure."""
        assert longest_silence_s([Turn(Speaker.AGENT, "hello"), Turn(Speaker.CUSTOMER, "hi")]) is None

    @given(timed_turns)
    def test_within_total_silence_and_the_conversation(self, turns: list[Turn]) -> None:
        """The longest pause is at most all pauses together, which fit in the conversation's span."""
        turns = chronological(turns)
        longest, total, span = longest_silence_s(turns), silence_s(turns), speech_span_s(turns)
        assert span is not None
        if len(turns) < 2:
            assert longest is None
            return
        assert longest is not None
        assert total is not None
        assert 0.0 <= longest <= total + 1e-6
        assert total <= span + 1e-3


class TestTalkTimeRatio:
    def test_share_of_speaking_time(self) -> None:
        """A 9-second agent and a 3-second customer: the agent held 75% of the talk."""
        turns = [
            Turn(Speaker.AGENT, "a", 0.0, 5.0),
            Turn(Speaker.CUSTOMER, "b", 4.0, 7.0),
            Turn(Speaker.AGENT, "c", 10, 14),
        ]
        assert talk_time_ratio(turns) == 0.75

    def test_none_when_a_turn_is_untimed(self) -> None:
        """A chat's turns carry send times only: no speaking time to share."""
        assert talk_time_ratio([Turn(Speaker.AGENT, "a", 0.0), Turn(Speaker.CUSTOMER, "b", 4.0, 7.0)]) is None

    @given(timed_turns, st.randoms())
    def test_in_range_and_order_free(self, turns: list[Turn], rng: Any) -> None:
        """Within 0..1, and the same however the turns are listed."""
        ratio = talk_time_ratio(turns)
        shuffled = list(turns)
        rng.shuffle(shuffled)
        assert ratio == talk_time_ratio(shuffled)
        assert ratio is None or 0.0 <= ratio <= 1.0


class TestInterruptions:
    def test_counts_turns_starting_over_the_other_speaker(self) -> None:
        """The customer cuts in at 4 s while the agent speaks until 5 s; later turns wait their turn."""
        turns = [
            Turn(Speaker.AGENT, "a", 0.0, 5.0),
            Turn(Speaker.CUSTOMER, "b", 4.0, 7.0),
            Turn(Speaker.AGENT, "c", 7.5, 9.0),
        ]
        assert interruptions(turns) == 1

    def test_a_speaker_does_not_interrupt_themselves(self) -> None:
        """Two overlapping turns of the agent (a diarization artefact) are no interruption."""
        assert interruptions([Turn(Speaker.AGENT, "a", 0.0, 5.0), Turn(Speaker.AGENT, "b", 2.0, 3.0)]) == 0

    def test_none_without_end_times(self) -> None:
        """Chat messages have send times only and cannot overlap."""
        assert interruptions([Turn(Speaker.AGENT, "a", 0.0), Turn(Speaker.CUSTOMER, "b", 1.0)]) is None

    @given(timed_turns, st.randoms())
    def test_at_most_turns_minus_one_and_order_free(self, turns: list[Turn], rng: Any) -> None:
        """The earliest turn interrupts nobody, and the count depends on the times, not the listing."""
        count = interruptions(turns)
        shuffled = list(turns)
        rng.shuffle(shuffled)
        assert count is not None
        assert 0 <= count <= len(turns) - 1
        assert count == interruptions(shuffled)

    @given(timed_turns)
    def test_back_to_back_speech_has_none(self, turns: list[Turn]) -> None:
        """Turns laid end to end (each starts when the previous ended, or later) never overlap."""
        clock, laid = 0.0, []
        for turn in turns:
            length = (turn.end_s or 0.0) - (turn.offset_s or 0.0)
            laid.append(Turn(turn.speaker, turn.text, clock, clock + length))
            clock += length
        assert interruptions(laid) == 0


class TestAgentResponse:
    def test_mean_wait_from_the_first_unanswered_customer_message(self) -> None:
        """Waits of 30 s (two customer messages, counted from the first) and 60 s average 45 s."""
        turns = [
            Turn(Speaker.CUSTOMER, "hello", 0.0),
            Turn(Speaker.CUSTOMER, "anyone?", 20.0),
            Turn(Speaker.AGENT, "hi", 30.0),
            Turn(Speaker.SYSTEM, "transfer", 35.0),
            Turn(Speaker.CUSTOMER, "thanks", 40.0),
            Turn(Speaker.AGENT, "welcome", 100.0),
        ]
        assert agent_response_s(turns) == 45.0

    def test_none_when_never_answered_or_untimed(self) -> None:
        """No agent reply after the customer, or no times at all: no response time."""
        assert agent_response_s([Turn(Speaker.AGENT, "hi", 0.0), Turn(Speaker.CUSTOMER, "bye", 5.0)]) is None
        assert agent_response_s([Turn(Speaker.CUSTOMER, "hi"), Turn(Speaker.AGENT, "hello")]) is None

    @given(timed_turns, st.randoms())
    def test_never_negative_never_longer_than_the_conversation_and_order_free(
        self, turns: list[Turn], rng: Any
    ) -> None:
        """A wait lies within the conversation, and shuffling the listing changes nothing."""
        response, span = agent_response_s(turns), speech_span_s(turns)
        shuffled = list(turns)
        rng.shuffle(shuffled)
        assert response == agent_response_s(shuffled)
        if response is not None:
            assert span is not None
            assert 0.0 <= response <= span + 1e-3


class TestCallResponse:
    def test_waits_from_when_the_caller_stopped_talking(self) -> None:
        """A caller's two segments are one question: the wait runs from the second's end (8 s → 10 s), and an agent
        who cuts in answers at once (0 s): 1 s on average. A call's measures carry it."""
        turns = (
            Turn(Speaker.AGENT, "how can i help", 0.0, 2.0),
            Turn(Speaker.CUSTOMER, "hi", 3.0, 4.0),
            Turn(Speaker.CUSTOMER, "i lost my card", 5.0, 8.0),
            Turn(Speaker.AGENT, "sorry to hear that", 10.0, 12.0),
            Turn(Speaker.CUSTOMER, "can you block it", 13.0, 16.0),
            Turn(Speaker.AGENT, "yes", 15.5, 16.0),
        )
        assert call_response_s(turns) == 1.0
        call = Conversation(id="c", integration="t", channel=Channel.CALL, turns=turns)
        assert conversation_measures(call).agent_response_s == 1.0

    @given(timed_turns, st.randoms())
    def test_never_negative_never_longer_than_the_conversation_and_order_free(
        self, turns: list[Turn], rng: Any
    ) -> None:
        """A wait lies within the conversation, and shuffling the listing changes nothing."""
        response, span = call_response_s(turns), speech_span_s(turns)
        shuffled = list(turns)
        rng.shuffle(shuffled)
        assert response == call_response_s(shuffled)
        if response is not None:
            assert span is not None
            assert 0.0 <= response <= span + 1e-3


class TestConversationMeasures:
    def test_calls_share_talk_by_time_and_chats_by_words(self) -> None:
        """The same timed turns: a call counts seconds spoken, a chat counts words typed."""
        turns = (Turn(Speaker.AGENT, "one two three", 0.0, 1.0), Turn(Speaker.CUSTOMER, "four", 1.0, 4.0))
        call = Conversation(id="c", integration="t", channel=Channel.CALL, turns=turns)
        chat = Conversation(id="c", integration="t", channel=Channel.CHAT, turns=turns)
        assert conversation_measures(call).talk_ratio == 0.25
        assert conversation_measures(chat).talk_ratio == 0.75
        assert conversation_measures(call).agent_response_s is None  # the customer spoke last: never answered
        assert conversation_measures(chat).agent_response_s is None

    def test_duration_is_the_known_length_else_the_speech_span(self) -> None:
        """An imported length wins (billing uses it); without one the turns' span is the duration."""
        turns = (Turn(Speaker.AGENT, "hi", 2.0, 4.0), Turn(Speaker.CUSTOMER, "hello", 5.0, 9.5))
        untimed = Conversation(id="c", integration="t", channel=Channel.CALL, turns=turns)
        assert conversation_measures(untimed).duration_s == 7.5
        assert conversation_measures(replace(untimed, duration_s=60.0)).duration_s == 60.0

    def test_every_measure_can_be_named_by_a_criterion(self) -> None:
        """measure_range's choices are exactly the measures computed."""
        assert set(get_args(MeasureName)) == set(Measures().as_dict())

    @given(
        st.lists(
            st.builds(
                Turn,
                st.sampled_from(list(Speaker)),
                words,
                st.none() | st.floats(0, 60, allow_nan=False).map(lambda x: round(x, 1)),
                st.none() | st.floats(0, 60, allow_nan=False).map(lambda x: round(x, 1)),
            ),
            max_size=12,
        ),
        st.sampled_from(list(Channel)),
        st.none() | st.floats(0, 90, allow_nan=False),
    )
    def test_the_same_as_each_measure_on_its_own(
        self, turns: list[Turn], channel: Channel, duration: float | None
    ) -> None:
        """Working out the spoken turns, their time order and the gaps once for all measures changes no value: the
        same as each measure on its own, and as today's `conversation_measures` (kept in `bench/measures_baseline.py`).
        """
        conversation = Conversation(id="c", integration="t", channel=channel, turns=tuple(turns), duration_s=duration)
        call = channel is Channel.CALL
        by_time = talk_time_ratio(turns) if call else None
        one_by_one = Measures(
            talk_ratio=by_time if by_time is not None else talk_ratio(turns),
            turns=turn_count(turns),
            silence_s=silence_s(turns),
            longest_silence_s=longest_silence_s(turns),
            interruptions=interruptions(turns),
            agent_response_s=call_response_s(turns) if call else agent_response_s(turns),
            duration_s=duration if duration is not None else speech_span_s(turns),
        )
        assert one_by_one == conversation_measures(conversation)
        # The baseline predates calls' response time (it left it out); every other measure is the same.
        baseline = measures_baseline.conversation_measures(conversation)
        assert replace(baseline, agent_response_s=one_by_one.agent_response_s) == conversation_measures(conversation)
