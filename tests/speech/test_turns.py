"""Pure turn-making: pause splitting, words of segments, merging speakers' turns by time."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.conversation import Speaker, Turn
from redflare.speech import Segment, Word
from redflare.speech.turns import merge_by_time, split_at_pauses, turns_by_pauses, words_of
from tests.speech.strategies import timed_words, turn_streams


class TestSplitAtPauses:
    @given(timed_words(), st.sampled_from([0.3, 0.6, 0.8, 1.5]))
    def test_runs_cover_the_words_and_cut_exactly_at_long_pauses(self, words: list[Word], pause_s: float) -> None:
        """Runs keep every word in order; gaps inside a run are at most the pause, gaps between runs exceed it."""
        runs = split_at_pauses(words, pause_s=pause_s)
        assert words == [word for run in runs for word in run]
        assert all(run for run in runs)
        for run in runs:
            assert all(later.start_s - earlier.end_s <= pause_s for earlier, later in itertools.pairwise(run))
        for before, after in itertools.pairwise(runs):
            assert after[0].start_s - before[-1].end_s > pause_s

    @given(timed_words())
    def test_turns_span_their_words(self, words: list[Word]) -> None:
        """Each turn of one speaker starts at its first word, ends at its last, and holds the words' text."""
        turns = turns_by_pauses(Speaker.CUSTOMER, words)
        assert " ".join(word.text for word in words) == " ".join(turn.text for turn in turns)
        for turn in turns:
            assert turn.speaker is Speaker.CUSTOMER
            assert turn.offset_s is not None
            assert turn.end_s is not None
            assert turn.offset_s <= turn.end_s

    def test_a_pause_just_over_the_threshold_starts_a_turn(self) -> None:
        """Words 0.9 s apart are two turns, 0.5 s apart one."""
        words = [Word("a", 0.0, 0.5), Word("b", 1.0, 1.5), Word("c", 2.4, 3.0)]
        assert [[word.text for word in run] for run in split_at_pauses(words, pause_s=0.8)] == [["a", "b"], ["c"]]


class TestWordsOf:
    def test_a_segment_without_word_timings_is_one_word(self) -> None:
        """An engine that gives no word timings still yields its text, spanning the segment."""
        segments = [
            Segment("later words", 3.0, 4.0, (Word("later", 3.0, 3.4), Word("words", 3.5, 4.0))),
            Segment("no timings here", 0.5, 2.0),
            Segment("   ", 5.0, 6.0),
        ]
        assert [Word("no timings here", 0.5, 2.0), Word("later", 3.0, 3.4), Word("words", 3.5, 4.0)] == words_of(
            segments
        )


class TestMergeByTime:
    @given(turn_streams())
    def test_merge_keeps_every_turn_in_start_order(self, streams: list[list[Turn]]) -> None:
        """The merge is all turns of all speakers, ordered by start; each speaker's own order is kept."""
        merged = merge_by_time(*streams)
        assert sorted(map(repr, merged)) == sorted(repr(turn) for stream in streams for turn in stream)
        starts = [turn.offset_s or 0.0 for turn in merged]
        assert starts == sorted(starts)
        for stream in streams:
            assert [turn for turn in merged if turn.speaker == stream[0].speaker] == stream if stream else True

    def test_overlapping_turns_stay_overlapping(self) -> None:
        """An interruption is kept as two overlapping turns, the earlier start first."""
        agent = [Turn(Speaker.AGENT, "our records show", 0.0, 4.0)]
        customer = [Turn(Speaker.CUSTOMER, "no", 3.0, 3.5)]
        assert [agent[0], customer[0]] == merge_by_time(agent, customer)
