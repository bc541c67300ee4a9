"""Scorecards: criteria pass, fail or do not apply, with evidence, and a weighted 0–100 score."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from redflare.analysis.phrases import normalise
from redflare.analysis.pipeline import (
    Criterion,
    DurationRange,
    MeasureRange,
    PhraseNotSaid,
    PhraseSaid,
    SentimentAtEnd,
    SentimentAtStart,
)
from redflare.analysis.scorecard import evaluate, score_conversation, weighted_score
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn


def chat(*lines: tuple[str, str], duration_s: float | None = None) -> Conversation:
    turns = tuple(Turn(Speaker(speaker), text) for speaker, text in lines)
    return Conversation(id="c-1", integration="test", channel=Channel.CHAT, turns=turns, duration_s=duration_s)


POLITE = chat(
    ("agent", "Thank you for calling Acme, how can I help you today?"),
    ("customer", "Hi, I'd like to check on my refund."),
    ("agent", "Sure, may I have your full name and order ID?"),
    ("customer", "Sam Lee, order 1234."),
    ("agent", "Thanks Sam, the refund has been processed. Is there anything else I can help with?"),
    ("customer", "No, that's all, thanks a lot!"),
    ("agent", "Thanks for contacting us, have a great day!"),
)
GREETING = PhraseSaid(name="greeting", phrases=["thank you for calling", "how can i help"], within_first_turns=2)
CLOSING = PhraseSaid(name="closing", phrases=["have a great day", "goodbye"], within_last_turns=2)
APOLOGY = PhraseSaid(name="apology", phrases=["sorry", "apologise"], when_customer_sentiment_below=-0.3)
PROHIBITED = PhraseNotSaid(name="no_rudeness", phrases=["calm down", "not my problem"])

weights = st.floats(min_value=0.01, max_value=100, allow_nan=False)
verdicts = st.sampled_from([True, False, None])


class TestNormalise:
    def test_case_punctuation_and_apostrophes(self) -> None:
        """Matching ignores case, punctuation and apostrophes, so "I'm SORRY!!" reads as "im sorry"."""
        assert normalise("I'm   SORRY… about-that!!") == "im sorry about that"


class TestPhraseSaid:
    def test_said_phrase_passes_with_the_turn_as_evidence(self) -> None:
        """The reviewer is pointed at the turn that carried the phrase."""
        result = evaluate(PhraseSaid(name="identity", phrases=["your full name"]), POLITE)
        assert (result.passed, result.turn) == (True, 2)

    def test_fuzzy_match_forgives_wording_and_spelling(self) -> None:
        """Close variants count: a dropped word, a US spelling, a typo."""
        conversation = chat(
            ("agent", "Thanks for calling!"), ("agent", "I apologize."), ("agent", "Is ther anything else?")
        )
        for phrase, turn in [("thank you for calling", 0), ("apologise", 1), ("is there anything else", 2)]:
            result = evaluate(PhraseSaid(name="x", phrases=[phrase]), conversation)
            assert (True, turn) == (result.passed, result.turn), phrase

    def test_never_matches_inside_another_word(self) -> None:
        """A short phrase such as "hi" is not found inside "this" or "which"."""
        conversation = chat(("agent", "This is which shipment?"))
        assert evaluate(PhraseSaid(name="x", phrases=["hi"]), conversation).passed is False

    def test_speaker_filter(self) -> None:
        """A phrase the customer says does not earn the agent the criterion."""
        conversation = chat(("customer", "Sorry, I'm late"), ("agent", "No problem."))
        criterion = PhraseSaid(name="x", phrases=["sorry"], speaker="agent")
        assert evaluate(criterion, conversation).passed is False
        assert evaluate(criterion.model_copy(update={"speaker": "customer"}), conversation).passed is True

    def test_within_first_turns_counts_the_speakers_turns(self) -> None:
        """A greeting only counts at the start of the agent's part, not in the middle of the call."""
        conversation = chat(
            ("customer", "hello?"),
            ("agent", "One moment."),
            ("customer", "ok"),
            ("agent", "Sorry, go ahead."),
            ("agent", "Hello, how can I help?"),
        )
        late = PhraseSaid(name="greeting", phrases=["how can i help"], within_first_turns=2)
        assert evaluate(late, conversation).passed is False
        assert evaluate(late.model_copy(update={"within_first_turns": 3}), conversation).turn == 4

    def test_within_last_turns(self) -> None:
        """A goodbye in the agent's last turns passes; one at the start does not."""
        assert evaluate(CLOSING, POLITE).passed is True
        opening_goodbye = chat(("agent", "Goodbye, I mean hello"), ("agent", "ok"), ("agent", "done"))
        assert evaluate(CLOSING, opening_goodbye).passed is False

    def test_evidence_is_the_first_turn_saying_it(self) -> None:
        """With several matches the earliest one is shown, fuzzy or verbatim."""
        conversation = chat(("agent", "I apologize for that"), ("agent", "sorry again"), ("agent", "sorry"))
        assert evaluate(APOLOGY.model_copy(update={"when_customer_sentiment_below": None}), conversation).turn == 0

    def test_apology_not_applicable_when_customer_is_calm(self) -> None:
        """No upset customer, nothing to apologise for: the criterion is left out of the score."""
        conversation = chat(("customer", "Could you check my order?"), ("agent", "Sure, it ships tomorrow."))
        assert evaluate(APOLOGY, conversation).passed is None

    def test_apology_fails_when_angry_customer_gets_none(self) -> None:
        """An upset customer who gets no apology is a miss."""
        conversation = chat(
            ("customer", "This is terrible, I'm furious, you people ruined my order!"),
            ("agent", "Your order ships tomorrow."),
        )
        assert evaluate(APOLOGY, conversation).passed is False

    def test_apology_passes_when_angry_customer_gets_one(self) -> None:
        """An upset customer who hears "I'm so sorry" is handled well."""
        conversation = chat(
            ("customer", "This is terrible, I'm furious, you people ruined my order!"),
            ("agent", "I'm so sorry about that, let me fix it."),
        )
        assert (evaluate(APOLOGY, conversation).passed, evaluate(APOLOGY, conversation).turn) == (True, 1)


class TestPhraseNotSaid:
    def test_rude_agent_fails_with_evidence(self) -> None:
        """A prohibited phrase fails the criterion and points at where it was said."""
        conversation = chat(("customer", "Where is my parcel?!"), ("agent", "Calm down, sir. Not my problem."))
        result = evaluate(PROHIBITED, conversation)
        assert (result.passed, result.turn) == (False, 1)

    def test_polite_agent_passes(self) -> None:
        """An agent who never says the phrases passes, with no evidence to show."""
        result = evaluate(PROHIBITED, POLITE)
        assert (result.passed, result.turn) == (True, None)

    def test_customer_words_do_not_count_against_the_agent(self) -> None:
        """The customer saying "calm down" is not the agent's fault."""
        conversation = chat(("customer", "I need to calm down, sorry"), ("agent", "No worries."))
        assert evaluate(PROHIBITED, conversation).passed is True


class TestSentimentAtEnd:
    CRITERION = SentimentAtEnd(name="happy_end", above=0.0, last_turns=2)
    CONVERSATION = chat(("customer", "a"), ("agent", "b"), ("customer", "c"), ("customer", "d"))

    def test_average_of_last_turns_above_threshold(self) -> None:
        """Only the customer's last two turns count: an angry start then a happy end passes."""
        result = evaluate(self.CRITERION, self.CONVERSATION, [-0.9, -0.9, 0.2, 0.4])
        assert (True, round((0.2 + 0.4) / 2, 4)) == (result.passed, result.value)

    def test_unhappy_end_fails(self) -> None:
        """A customer who ends unhappy fails the criterion."""
        assert evaluate(self.CRITERION, self.CONVERSATION, [0.9, 0.9, 0.2, -0.5]).passed is False

    def test_not_applicable_without_the_speaker(self) -> None:
        """No customer turns means nothing to judge."""
        assert evaluate(self.CRITERION, chat(("agent", "hello")), [0.5]).passed is None


class TestDurationRange:
    CRITERION = DurationRange(name="length", min_s=60, max_s=600)

    def test_inside_and_outside(self) -> None:
        """A 5-minute call is within 1–10 minutes; a 20-second one is not."""
        assert evaluate(self.CRITERION, chat(("agent", "hi"), duration_s=300)).passed is True
        assert evaluate(self.CRITERION, chat(("agent", "hi"), duration_s=20)).passed is False

    def test_falls_back_to_turn_timing_then_not_applicable(self) -> None:
        """Without a duration the last turn's end is used; without any timing it does not apply."""
        timed = Conversation(
            id="t", integration="test", channel=Channel.CALL, turns=(Turn(Speaker.AGENT, "hi", 0.0, 90.0),)
        )
        assert evaluate(self.CRITERION, timed).passed is True
        assert evaluate(self.CRITERION, chat(("agent", "hi"))).passed is None


class TestWeightedScore:
    def test_weights_of_passed_over_applicable(self) -> None:
        """Passing a weight-1 criterion and failing a weight-3 one scores 25; non-applicable ones are ignored."""
        assert weighted_score([(1, True), (3, False), (5, None)]) == 25.0

    def test_none_when_nothing_applies(self) -> None:
        """No applicable criterion gives no score rather than 0 or 100."""
        assert weighted_score([(2, None)]) is None
        assert weighted_score([]) is None

    @given(st.lists(st.tuples(weights, verdicts), max_size=10))
    def test_always_within_range(self, items: list[tuple[float, bool | None]]) -> None:
        """The score is a percentage, or None exactly when nothing applies."""
        score = weighted_score(items)
        if all(verdict is None for _, verdict in items):
            assert score is None
        else:
            assert score is not None
            assert 0.0 <= score <= 100.0

    @given(st.lists(st.tuples(weights, verdicts), max_size=10), weights)
    def test_adding_a_passing_criterion_never_lowers_the_score(
        self, items: list[tuple[float, bool | None]], weight: float
    ) -> None:
        """Doing one more thing right can only help an agent's score."""
        before = weighted_score(items)
        after = weighted_score([*items, (weight, True)])
        assert after is not None
        assert before is None or after >= before


sentences = st.sampled_from(
    [
        "Hello, thanks for calling.",
        "I'm really angry, this is terrible!",
        "Sorry about that.",
        "Calm down please.",
        "Is there anything else?",
        "Have a great day!",
        "ok",
        "",
    ]
)
conversations = st.builds(
    lambda lines, duration: Conversation(
        id="h",
        integration="test",
        channel=Channel.CHAT,
        turns=tuple(Turn(speaker, text) for speaker, text in lines),
        duration_s=duration,
    ),
    st.lists(st.tuples(st.sampled_from(list(Speaker)), sentences | st.text(max_size=30)), max_size=10),
    st.floats(min_value=0, max_value=3600),
)
SCORECARD: list[Criterion] = [
    GREETING,
    CLOSING,
    APOLOGY,
    PROHIBITED,
    SentimentAtEnd(name="end", above=-0.05),
    DurationRange(name="length", max_s=1800),
]


class TestScoreConversation:
    def test_polite_resolved_chat_scores_full_marks(self) -> None:
        """A greeting, no rudeness and a polite close with a calm customer passes everything that applies."""
        result = score_conversation(SCORECARD, POLITE)
        assert result.passes["greeting"] is True
        assert result.passes["closing"] is True
        assert result.passes["apology"] is None
        assert result.score == 100.0

    @given(conversations)
    def test_one_verdict_per_criterion_and_score_in_range(self, conversation: Conversation) -> None:
        """Every criterion gets a column, in scorecard order, and the score stays a percentage."""
        result = score_conversation(SCORECARD, conversation)
        assert [criterion.name for criterion in SCORECARD] == list(result.passes)
        assert result.score is None or 0.0 <= result.score <= 100.0
        expected = weighted_score((c.weight, r.passed) for c, r in zip(SCORECARD, result.results, strict=True))
        assert expected == result.score

    @given(conversations, weights)
    def test_adding_a_passing_criterion_never_lowers_it(self, conversation: Conversation, weight: float) -> None:
        """A criterion every conversation meets (any length ≥ 0 s) can only raise the score."""
        before = score_conversation(SCORECARD, conversation).score
        always = DurationRange(name="any_length", min_s=0, weight=weight)
        after = score_conversation([*SCORECARD, always], conversation)
        assert after.passes["any_length"] is True
        assert after.score is not None
        assert before is None or after.score >= before


class TestSentimentAtStart:
    CONVERSATION = chat(("customer", "a"), ("agent", "b"), ("customer", "c"), ("customer", "d"))

    def test_first_turns_of_the_speaker_above_and_below(self) -> None:
        """The customer's first two turns (−0.6 and −0.2, mean −0.4) are below 0 and above −0.5."""
        sentiments = [-0.6, 0.9, -0.2, 0.8]
        upset = SentimentAtStart(name="starts_upset", below=0.0)
        calm = SentimentAtStart(name="starts_calm", above=0.0)
        band = SentimentAtStart(name="mildly_upset", above=-0.5, below=-0.3)
        results = [evaluate(criterion, self.CONVERSATION, sentiments) for criterion in (upset, calm, band)]
        assert [result.passed for result in results] == [True, False, True]
        assert {(result.turn, result.value) for result in results} == {(0, -0.4)}

    def test_needs_a_bound_and_a_speaker_who_spoke(self) -> None:
        """A criterion without a bound is refused; a speaker who never spoke makes it not apply."""
        with pytest.raises(ValidationError):
            SentimentAtStart(name="nothing")
        assert (
            evaluate(SentimentAtStart(name="x", above=0, speaker="agent"), chat(("customer", "hi")), [0.1]).passed
            is None
        )


class TestMeasureRange:
    TIMED = Conversation(
        id="t",
        integration="test",
        channel=Channel.CALL,
        turns=(Turn(Speaker.AGENT, "hello", 0.0, 5.0), Turn(Speaker.CUSTOMER, "hi", 4.0, 6.0)),
    )

    def test_within_inclusive_bounds(self) -> None:
        """One interruption lies within [0, 1] and outside [2, ∞)."""
        assert evaluate(MeasureRange(name="calm", measure="interruptions", max=1), self.TIMED).passed is True
        result = evaluate(MeasureRange(name="busy", measure="interruptions", min=2), self.TIMED)
        assert (result.passed, result.value) == (False, 1.0)

    def test_unknown_measure_does_not_apply(self) -> None:
        """A chat without times has no silence: the criterion is left out of the score."""
        result = evaluate(MeasureRange(name="quiet", measure="longest_silence_s", max=10), chat(("agent", "hi")))
        assert result.passed is None

    def test_min_above_max_is_refused(self) -> None:
        """An empty range is a mistake in the pipeline, not a criterion that always fails."""
        with pytest.raises(ValidationError):
            MeasureRange(name="x", measure="turns", min=5, max=2)


EVIDENCE_KEYS = {"turn", "speaker", "text", "offset_s", "end_s", "match", "similarity", "value"}


class TestEvidence:
    def test_one_shape_per_kind(self) -> None:
        """Phrases point at the turn and phrase, sentiment at its first turn, ranges at their value."""
        rude = chat(("agent", "Hello, how can I help?"), ("customer", "I'm upset."), ("agent", "Calm down please."))
        scorecard: list[Criterion] = [
            GREETING,
            PROHIBITED,
            SentimentAtEnd(name="end", speaker="agent", last_turns=1, above=-1),
            MeasureRange(name="turns", measure="turns", min=1),
            DurationRange(name="length", max_s=10),
        ]
        evidence = score_conversation(scorecard, rude, [0.4, -0.5, 0.3]).evidence
        assert all(item is None or set(item) == EVIDENCE_KEYS for item in evidence.values())
        assert evidence["greeting"] == {
            "turn": 0,
            "speaker": "agent",
            "text": "Hello, how can I help?",
            "offset_s": None,
            "end_s": None,
            "match": "how can i help",
            "similarity": 100.0,
            "value": None,
        }
        offending = evidence["no_rudeness"]
        assert offending is not None
        assert (offending["turn"], offending["match"]) == (2, "calm down")
        ending = evidence["end"]
        assert ending is not None
        assert (ending["turn"], ending["value"], ending["match"]) == (2, 0.3, None)
        assert evidence["turns"] == dict.fromkeys(EVIDENCE_KEYS) | {"value": 3.0}
        assert evidence["length"] is None  # unknown length: not applicable, nothing to show

    def test_passes_without_a_turn_show_nothing(self) -> None:
        """Never saying a prohibited phrase passes with no evidence; a greeting never said fails with none."""
        evidence = score_conversation([GREETING, PROHIBITED], chat(("agent", "Yes?"))).evidence
        assert evidence == {"greeting": None, "no_rudeness": None}

    def test_fuzzy_match_names_the_phrase_as_written(self) -> None:
        """A near miss reports the criterion's phrase and a similarity below 100."""
        criterion = PhraseSaid(name="apology", phrases=["I apologise"], threshold=80)
        evidence = score_conversation([criterion], chat(("agent", "I apologize for that"))).evidence["apology"]
        assert evidence is not None
        assert evidence["match"] == "I apologise"
        assert isinstance(evidence["similarity"], float)
        assert 80 <= evidence["similarity"] < 100

    @given(conversations)
    def test_evidence_points_at_a_real_turn(self, conversation: Conversation) -> None:
        """Whatever the conversation, evidence names an existing turn with its own text and speaker."""
        result = score_conversation(SCORECARD, conversation)
        assert list(result.evidence) == list(result.passes)
        for name, item in result.evidence.items():
            if item is None or item["turn"] is None:
                continue
            turn = conversation.turns[int(str(item["turn"]))]
            assert (item["speaker"], item["text"]) == (turn.speaker.value, turn.text), name
