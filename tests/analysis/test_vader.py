"""The VADER analyser's replaced parts give the library's results, helper by helper and sentence by sentence."""

from __future__ import annotations

from importlib.metadata import version

from hypothesis import given
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE, SPECIAL_CASES, SentimentIntensityAnalyzer

from redflare.analysis import vader

_LIBRARY = SentimentIntensityAnalyzer()
_BUILT = vader.build()

# Every word a rule of VADER's looks for, next to sentiment words and words it does not know, in any case.
_RULE_WORDS = sorted(
    {word for phrase in [*NEGATE, *BOOSTER_DICT, *SPECIAL_CASES] for word in phrase.split()}
    | {"never", "so", "this", "without", "doubt", "no", "least", "at", "very", "but", "kind", "of", "or", "nor"}
    | {"not", "don't", "isn't", "DON'T", "cannot"}
)
_words = st.one_of(
    st.sampled_from(_RULE_WORDS),
    st.sampled_from(sorted(_LIBRARY.lexicon)),
    st.from_regex(r"[a-z]{1,8}|[0-9]{1,4}", fullmatch=True),
    st.sampled_from(sorted(_LIBRARY.emojis)),
    st.text(max_size=5),
)
_cased = st.tuples(_words, st.sampled_from([str, str.upper, str.title])).map(lambda pair: pair[1](pair[0]))
_valences = st.floats(min_value=-4, max_value=4, allow_nan=False) | st.integers(-4, 4)


def test_the_helpers_are_replaced_for_the_version_they_mirror() -> None:
    """The pinned vaderSentiment is the one mirrored, so the product runs (and these tests check) the replacements."""
    assert version("vaderSentiment") == vader.MIRRORED_VERSION
    assert _BUILT._negation_check is vader.negation_check
    assert _BUILT._special_idioms_check is vader.special_idioms_check
    assert _BUILT.polarity_scores.__func__ is vader.polarity_scores


@given(_valences, st.lists(_cased, min_size=1, max_size=9), st.sampled_from([0, 1, 2]), st.data())
def test_negation_check_is_the_librarys(valence: float, words: list[str], start_i: int, data: st.DataObject) -> None:
    """For every word position VADER calls it at (past the words it looks back on), the same valence comes back."""
    if len(words) <= start_i + 1:
        words = [*words, *["x"] * (start_i + 2 - len(words))]
    i = data.draw(st.integers(start_i + 1, len(words) - 1))
    assert SentimentIntensityAnalyzer._negation_check(valence, words, start_i, i) == vader.negation_check(
        valence, words, start_i, i
    )


@given(_valences, st.lists(_cased, min_size=4, max_size=9), st.data())
def test_special_idioms_check_is_the_librarys(valence: float, words: list[str], data: st.DataObject) -> None:
    """For every word position VADER calls it at (the fourth word on), the same valence comes back."""
    i = data.draw(st.integers(3, len(words) - 1))
    assert SentimentIntensityAnalyzer._special_idioms_check(valence, words, i) == vader.special_idioms_check(
        valence, words, i
    )


@given(
    st.lists(
        st.tuples(_cased, st.sampled_from(["", ",", ".", "!", "?", "!!", "??"]), st.sampled_from([" ", "  ", "\n"])),
        max_size=16,
    ).map(lambda tokens: "".join(word + mark + gap for word, mark, gap in tokens))
)
def test_polarity_scores_are_the_librarys(text: str) -> None:
    """Whole utterances, ASCII or not (emoji too): negative, neutral, positive and compound equal the untouched
    analyser's."""
    assert _LIBRARY.polarity_scores(text) == _BUILT.polarity_scores(text)


def test_known_sentences_are_the_librarys() -> None:
    """Hand-picked cases for the rules the helpers serve: negations near and far, 'never so', idioms, boosters."""
    for text in [
        "VADER is not smart, handsome, nor funny.",
        "At least it isn't a horrible book.",
        "The book was only kind of good.",
        "I have never been so happy, without doubt the best.",
        "That movie was the bomb, yeah right it was bad ass",
        "This is not at all what I wanted, it's not very good and I don't like it",
        "kiss of death for this plan, but the food is to die for",
        "I can't say I'm not disappointed",
        "  Make sure you :) or :D today!  ",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁",
        "Not bad at all",
        "Today only kinda sux! But I'll get by, lol",
    ]:
        assert _LIBRARY.polarity_scores(text) == _BUILT.polarity_scores(text), text
