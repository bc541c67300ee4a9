"""Sentiment: per-turn VADER scores, the overall customer sentiment, and its label."""

from __future__ import annotations

from statistics import fmean

from hypothesis import given
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from redflare.analysis.pipeline import SentimentThresholds
from redflare.analysis.sentiment import (
    analyzer,
    compound,
    lexicon_free,
    overall_sentiment,
    sentiment_label,
    turn_sentiments,
    vader_compound,
)
from redflare.domain.conversation import Speaker, Turn

scores = st.floats(min_value=-1, max_value=1, allow_nan=False)
speakers = st.sampled_from(list(Speaker))

# Utterances made to probe VADER's rules: lexicon words next to negations, boosters, "but", "no", "least", idioms,
# capitals, surrounding punctuation, "!" and "?", emoji, and plenty of words VADER does not know.
_VADER = SentimentIntensityAnalyzer()  # untouched: the reference the product's numbers must equal
_RULE_WORDS = "not never no nor or least at very but kind of sort so this without doubt the shit bomb yeah right"
_plain_words = st.from_regex(r"[a-z]{1,9}|[0-9]{1,5}|ref|order|[a-z]+'[a-z]{1,2}", fullmatch=True)
_words = st.one_of(
    _plain_words,
    st.sampled_from(sorted(_VADER.lexicon)),
    st.sampled_from(_RULE_WORDS.split()),
    st.sampled_from(sorted(_VADER.emojis)),
    st.text(max_size=6),
)
_cased = st.tuples(_words, st.sampled_from([str, str.upper, str.title])).map(lambda pair: pair[1](pair[0]))
_tokens = st.tuples(
    st.sampled_from(["", "(", '"', ".", "'"]), _cased, st.sampled_from(["", ".", ",", "!", "?", "!!", ":)"])
)
_utterances = st.lists(_tokens.map("".join), max_size=14).flatmap(
    lambda tokens: st.lists(st.sampled_from([" ", "  ", "\t", "\n"]), min_size=len(tokens), max_size=len(tokens)).map(
        lambda gaps: "".join(gap + token for gap, token in zip(gaps, tokens, strict=True))
    )
)
_unknown_utterances = st.lists(
    st.tuples(st.sampled_from(["", "(", "."]), _plain_words.map(str.title), st.sampled_from(["", ".", "!", "??"])),
    max_size=14,
).map(lambda tokens: " ".join("".join(token) for token in tokens))


class TestAnalyzer:
    def test_built_once_per_process(self) -> None:
        """Workers reuse one VADER analyser instead of reloading its lexicon per conversation."""
        assert analyzer() is analyzer()


class TestCompound:
    def test_praise_is_positive_and_anger_negative(self) -> None:
        """A delighted customer scores clearly above zero, a furious one clearly below."""
        assert compound("Thank you so much, that was wonderful and really helpful!") > 0.5
        assert compound("This is terrible, I am furious and I hate this awful service.") < -0.5

    def test_empty_text_is_neutral(self) -> None:
        """Blank turns carry no sentiment."""
        assert compound("   ") == 0.0

    @given(st.text(max_size=80))
    def test_always_within_range(self, text: str) -> None:
        """Whatever is said, the score stays within −1..1."""
        assert -1.0 <= compound(text) <= 1.0


class TestLexiconFree:
    """The shortcut that skips VADER for utterances without a word it knows gives VADER's own number."""

    def test_emoji_are_beyond_ascii(self) -> None:
        """`lexicon_free` judges ASCII text only, which holds no emoji VADER would spell out in words."""
        assert not any(emoji.isascii() for emoji in _VADER.emojis)

    def test_everyday_lines_without_sentiment_words_are_skipped(self) -> None:
        """The shortcut does apply to real lines, so the properties below test the path the product takes."""
        lexicon = _VADER.lexicon.keys()
        assert lexicon_free("One moment, let me check that for you.", lexicon)
        assert not lexicon_free("Thanks, that is great!", lexicon)
        assert not lexicon_free("I'm not happy 😠", lexicon)

    @given(_unknown_utterances | _utterances)
    def test_skipped_only_when_vader_says_zero(self, text: str) -> None:
        """Whenever the shortcut skips VADER, VADER would have said exactly 0.0."""
        if lexicon_free(text, _VADER.lexicon.keys()):
            assert _VADER.polarity_scores(text)["compound"] == 0.0

    @given(_utterances | _unknown_utterances | st.text(max_size=80))
    def test_same_number_as_vader(self, text: str) -> None:
        """With or without the shortcut, an utterance's compound is VADER's, by value."""
        assert float(_VADER.polarity_scores(text)["compound"]) == vader_compound(text)


class TestTurnSentiments:
    def test_one_score_per_turn_and_none_for_system_events(self) -> None:
        """Scores line up with turns, so the UI can colour each one; system events have none."""
        turns = [
            Turn(Speaker.AGENT, "Happy to help!"),
            Turn(Speaker.SYSTEM, "Account has been pulled up."),
            Turn(Speaker.CUSTOMER, "This is awful."),
        ]
        result = turn_sentiments(turns)
        assert len(turns) == len(result)
        assert result[1] is None
        assert result[0] == compound("Happy to help!")
        assert result[2] == compound("This is awful.")


class TestOverallSentiment:
    def test_mean_of_customer_turns(self) -> None:
        """Overall sentiment is the customer's mood: agent cheerfulness does not mask an unhappy customer."""
        turns = [
            Turn(Speaker.AGENT, "a"),
            Turn(Speaker.CUSTOMER, "b"),
            Turn(Speaker.AGENT, "c"),
            Turn(Speaker.CUSTOMER, "d"),
        ]
        assert round((-0.6 + -0.2) / 2, 4) == overall_sentiment(turns, [0.9, -0.6, 0.9, -0.2])

    def test_falls_back_to_all_spoken_turns(self) -> None:
        """Without customer text (e.g. a voicemail left by the agent) the agent's turns decide."""
        turns = [Turn(Speaker.AGENT, "a"), Turn(Speaker.CUSTOMER, " "), Turn(Speaker.AGENT, "c")]
        assert round((0.4 + 0.2) / 2, 4) == overall_sentiment(turns, [0.4, 0.0, 0.2])

    def test_none_when_nothing_was_said(self) -> None:
        """A conversation of system events only has no sentiment."""
        assert overall_sentiment([Turn(Speaker.SYSTEM, "x")], [None]) is None

    @given(st.lists(st.tuples(speakers, scores), max_size=12))
    def test_independent_of_agent_when_customer_spoke(self, rows: list[tuple[Speaker, float]]) -> None:
        """Changing what the agent's turns score never moves the overall sentiment once the customer spoke."""
        turns = [Turn(speaker, "text") for speaker, _ in rows]
        values: list[float | None] = [None if s is Speaker.SYSTEM else v for s, v in rows]
        flipped: list[float | None] = [
            -v if s is Speaker.AGENT and v is not None else v for (s, _), v in zip(rows, values, strict=True)
        ]
        customer = [v for (s, _), v in zip(rows, values, strict=True) if s is Speaker.CUSTOMER and v is not None]
        result = overall_sentiment(turns, values)
        if customer:
            assert round(fmean(customer), 4) == result
            assert result == overall_sentiment(turns, flipped)
        else:
            spoken = [v for v in values if v is not None]
            assert (round(fmean(spoken), 4) if spoken else None) == result


class TestSentimentLabel:
    def test_labels_from_default_thresholds(self) -> None:
        """Below −0.05 is negative, above 0.05 positive, the band between neutral (bounds included)."""
        thresholds = SentimentThresholds()
        assert sentiment_label(-0.5, thresholds) == "negative"
        assert sentiment_label(-0.05, thresholds) == "neutral"
        assert sentiment_label(0.0, thresholds) == "neutral"
        assert sentiment_label(0.05, thresholds) == "neutral"
        assert sentiment_label(0.5, thresholds) == "positive"
        assert sentiment_label(None, thresholds) is None

    @given(scores, scores, scores)
    def test_label_follows_the_pipeline_thresholds(self, value: float, low: float, high: float) -> None:
        """A pipeline's own thresholds decide the label, in the order negative < neutral < positive."""
        low, high = min(low, high), max(low, high)
        label = sentiment_label(value, SentimentThresholds(negative_below=low, positive_above=high))
        expected = "negative" if value < low else "positive" if value > high else "neutral"
        assert expected == label
