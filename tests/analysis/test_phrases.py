"""Phrase matching: one rapidfuzz call per criterion gives exactly the verdicts and evidence of the matcher before.

The matcher before (one `process.extract` per phrase over word runs rebuilt per phrase length) is kept verbatim
in `bench/phrases_baseline.py`; `installed()` swaps it into the scorecard, so the same `evaluate` /
`score_conversation` call can be made with either and the results compared as values.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from redflare.analysis.phrases import SpokenText, first_exact_hit, first_fuzzy_hit, phrase_list
from redflare.analysis.pipeline import Criterion, PhraseNotSaid, PhraseSaid, SentimentAtEnd
from redflare.analysis.scorecard import ScorecardResult, evaluate, score_conversation
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository root, for `bench`
from bench import phrases_baseline

# Words that make whole-word hits, near misses (typos, inflections, words inside words) and noise.
WORDS = (
    *("thank", "thanks", "you", "for", "calling", "contacting", "hi", "hello", "this", "which", "think"),
    *("sorry", "im", "i'm", "apologise", "apologize", "apologies", "help", "can", "i", "anything", "else"),
    *("calm", "down", "becalm", "downtown", "not", "my", "problem", "is", "there", "ther", "have", "a", "great"),
    *("day", "good", "bye", "goodbye", "your", "full", "name", "account", "number", "verify", "verification"),
    *("resolved", "all", "set", "taken", "care", "of"),
)

word = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet="abcdeilmnorstuy'", min_size=1, max_size=9),  # typos and made-up words
)
punctuated = st.builds(
    lambda text, mark, upper: (text.upper() if upper else text) + mark,
    word,
    st.sampled_from(["", "", "", ",", "!", "?", "…", " -", "'s", "\n"]),
    st.booleans(),
)
texts = st.lists(punctuated, max_size=14).map(" ".join)
phrase = st.lists(word, min_size=1, max_size=6).map(" ".join)
phrases = st.lists(st.one_of(phrase, st.sampled_from(["", "!!", "I'm sorry", "Thank you for calling"])), min_size=1)
# rapidfuzz rounds a cutoff to a C float: 85.000001 is 85, 1e-300 is 0.
thresholds = st.one_of(
    st.sampled_from([0, 50, 70, 85, 90, 100, 85.000001, 1e-300]), st.floats(min_value=0, max_value=100)
)
speakers = st.sampled_from(["agent", "customer", "any"])
windows = st.one_of(st.none(), st.integers(min_value=1, max_value=6))
turns = st.lists(st.tuples(st.sampled_from(list(Speaker)), texts), max_size=12)


@st.composite
def variants(draw: st.DrawFn, base: str) -> str:
    """`base` with one letter changed, dropped or added: variants of one word often tie on score."""
    at = draw(st.integers(min_value=0, max_value=len(base)))
    letter = draw(st.sampled_from("aeiost"))
    edit = draw(st.sampled_from(["change", "drop", "add", "none"]))
    if edit == "change":
        return base[:at] + letter + base[at + 1 :]
    if edit == "drop":
        return base[:at] + base[at + 1 :] or base
    if edit == "add":
        return base[:at] + letter + base[at:]
    return base


close_calls = st.sampled_from(["hello", "sorry", "verify", "thanks", "resolved", "goodbye"]).flatmap(
    lambda base: st.tuples(
        st.lists(variants(base), min_size=2, max_size=6),
        st.lists(st.tuples(st.sampled_from([Speaker.AGENT, Speaker.CUSTOMER]), variants(base)), max_size=6),
    )
)


def conversation_of(lines: list[tuple[Speaker, str]]) -> Conversation:
    turns_ = tuple(Turn(speaker, text) for speaker, text in lines)
    return Conversation(id="c-1", integration="test", channel=Channel.CHAT, turns=turns_)


phrase_said = st.builds(
    lambda phrases_, speaker, threshold, first, last: PhraseSaid(
        name="said",
        phrases=phrases_,
        speaker=speaker,
        threshold=threshold,
        within_first_turns=first,
        within_last_turns=last,
    ),
    phrases,
    speakers,
    thresholds,
    windows,
    windows,
)
phrase_not_said = st.builds(
    lambda phrases_, speaker, threshold: PhraseNotSaid(
        name="not_said", phrases=phrases_, speaker=speaker, threshold=threshold
    ),
    phrases,
    speakers,
    thresholds,
)


def with_baseline(criteria: list[Criterion], conversation: Conversation) -> ScorecardResult:
    with phrases_baseline.installed():
        return score_conversation(criteria, conversation)


class TestSameAsTheMatcherBefore:
    @settings(max_examples=400)
    @given(st.one_of(phrase_said, phrase_not_said), turns)
    def test_one_criterion(self, criterion: PhraseSaid | PhraseNotSaid, lines: list[tuple[Speaker, str]]) -> None:
        """Pass or fail, the deciding turn, the score and the phrase named are those of the matcher before."""
        conversation = conversation_of(lines)
        with phrases_baseline.installed():
            expected = evaluate(criterion, conversation)
        assert expected == evaluate(criterion, conversation)

    @settings(max_examples=200)
    @given(st.lists(st.one_of(phrase_said, phrase_not_said), min_size=1, max_size=5), turns)
    def test_a_scorecard(self, criteria: list[PhraseSaid | PhraseNotSaid], lines: list[tuple[Speaker, str]]) -> None:
        """A whole scorecard (criteria sharing a speaker's word runs) scores and evidences alike."""
        scorecard: list[Criterion] = [
            criterion.model_copy(update={"name": f"c{number}"}) for number, criterion in enumerate(criteria)
        ]
        conversation = conversation_of(lines)
        expected = with_baseline(scorecard, conversation)
        actual = score_conversation(scorecard, conversation)
        assert (expected.results, expected.score, expected.evidence) == (actual.results, actual.score, actual.evidence)

    @settings(max_examples=300)
    @given(close_calls, st.sampled_from([60, 70, 75, 80, 85]))
    def test_close_calls(self, case: tuple[list[str], list[tuple[Speaker, str]]], threshold: float) -> None:
        """Phrases that are variants of one word, said as another variant: ties go to the phrase listed first."""
        phrases_, lines = case
        criterion = PhraseSaid(name="said", phrases=phrases_, threshold=threshold, speaker="any")
        conversation = conversation_of(lines)
        with phrases_baseline.installed():
            expected = evaluate(criterion, conversation)
        assert expected == evaluate(criterion, conversation)

    def test_default_qa_on_a_chat(self) -> None:
        """default-qa on a chat: a verbatim greeting, typos in the closing, an apology to an angry customer."""
        from redflare.analysis.catalog import load_builtin_pipelines

        scorecard = load_builtin_pipelines()["default-qa"].scorecard
        conversation = conversation_of(
            [
                (Speaker.AGENT, "Hi there, thanks for contacting Acme — how can I help?"),
                (Speaker.CUSTOMER, "This is terrible, my order never arrived and I'm furious."),
                (Speaker.AGENT, "I'm so sorry about that. May I have your full name?"),
                (Speaker.CUSTOMER, "Sam Lee."),
                (Speaker.AGENT, "Thanks Sam, your refund has been processd. Anything else I can do?"),
                (Speaker.AGENT, "Have a grat day!"),
            ]
        )
        expected = with_baseline(scorecard, conversation)
        actual = score_conversation(scorecard, conversation)
        assert (expected.results, expected.evidence) == (actual.results, actual.evidence)
        assert [SentimentAtEnd] == [type(c) for c in scorecard if not isinstance(c, PhraseSaid | PhraseNotSaid)]


def spoken(*lines: str) -> SpokenText:
    return SpokenText(lines)


class TestFirstExactHit:
    def test_leftmost_then_longest(self) -> None:
        """In the first turn saying any phrase, the leftmost phrase wins, and of two starting there the longer."""
        phrases_ = phrase_list(("calling", "thank you", "thank you for calling"))
        text = spoken("no", "well thank you for calling", "calling")
        assert first_exact_hit(phrases_, text, 0, 3) == (1, "thank you for calling")

    def test_whole_words_only_and_inside_the_window(self) -> None:
        """ "hi" is not said in "this"; a hit past the window's end does not count."""
        phrases_ = phrase_list(("Hi",))
        text = spoken("this is it", "oh hi")
        assert first_exact_hit(phrases_, text, 0, 1) is None
        assert first_exact_hit(phrases_, text, 1, 2) == (1, "Hi")


class TestFirstFuzzyHit:
    def test_best_score_then_first_phrase(self) -> None:
        """In the earliest turn with a hit, the highest score wins; of equal scores, the phrase listed first."""
        # Against "helo": "hel" scores 85.71, "heloo" and "hello" 88.89 each.
        phrases_ = phrase_list(("hel", "heloo", "hello"))
        found = first_fuzzy_hit(phrases_, spoken("nothing here", "well helo there"), 0, 2, 80)
        assert found is not None
        assert (found[0], round(found[1], 2), found[2]) == (1, 88.89, "heloo")

    def test_a_short_turn_is_compared_whole(self) -> None:
        """A turn shorter than a long phrase's runs still meets it whole: "thanks" against "thank you so"."""
        phrases_ = phrase_list(("thank you so much",))
        assert first_fuzzy_hit(phrases_, spoken("thanks so much"), 0, 1, 80) is not None

    def test_runs_never_span_two_turns(self) -> None:
        """The end of one turn and the start of the next are not one run."""
        phrases_ = phrase_list(("calm down now",))
        assert first_fuzzy_hit(phrases_, spoken("please be calm", "down now"), 0, 2, 95) is None


class TestThresholds:
    def test_a_threshold_counts_as_rapidfuzz_rounds_it(self) -> None:
        """rapidfuzz rounds a cutoff to a C float: at 85.000001 a score of exactly 85 counts, as it did before."""
        criterion = PhraseSaid(name="x", phrases=["abcdefghijklmnopqrst"], threshold=85.000001)
        conversation = conversation_of([(Speaker.AGENT, "abcdefghijklmnopqxyz")])
        with phrases_baseline.installed():
            expected = evaluate(criterion, conversation)
        assert (expected.passed, expected.value) == (True, 85.0)
        assert expected == evaluate(criterion, conversation)

    def test_a_vanishing_threshold_counts_every_run(self) -> None:
        """A threshold rapidfuzz rounds to 0 lets a run scoring 0 count too."""
        criterion = PhraseNotSaid(name="x", phrases=["I'm sorry"], threshold=1e-300)
        conversation = conversation_of([(Speaker.AGENT, "thank")])
        with phrases_baseline.installed():
            expected = evaluate(criterion, conversation)
        assert (expected.passed, expected.value) == (False, 0.0)
        assert expected == evaluate(criterion, conversation)
