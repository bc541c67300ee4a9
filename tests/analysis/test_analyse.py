"""analyse / analyse_batch: one pipeline over conversations, stage by stage, with credits and errors."""

from __future__ import annotations

import pickle
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from redflare.analysis.analyse import NO_TRANSCRIPT_STAGE, analyse, analyse_batch
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.analysis.pipeline import Prices, Stages
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn

DEFAULT_QA = load_builtin_pipelines()["default-qa"]


def chat(
    *lines: tuple[str, str], id: str = "c-1", audio: str | None = None, duration_s: float | None = None
) -> Conversation:
    turns = tuple(Turn(Speaker(speaker), text) for speaker, text in lines)
    return Conversation(
        id=id, integration="test", channel=Channel.CHAT, turns=turns, audio=audio, duration_s=duration_s
    )


POLITE = chat(
    ("agent", "Good morning, thanks for calling Acme. How can I help you?"),
    ("customer", "Hi, I was charged twice this month."),
    ("agent", "I'm sorry about that. Could you verify your full name and the email on the account?"),
    ("customer", "Sam Lee, sam@example.com."),
    ("agent", "Thanks Sam. I've reversed the duplicate charge, so you're all set."),
    ("customer", "Great, thank you so much!"),
    ("agent", "Is there anything else I can help you with?"),
    ("customer", "No, that's everything, thanks."),
    ("agent", "Thank you for contacting us, have a great day!"),
)
RUDE = chat(
    ("agent", "Yeah?"),
    ("customer", "My order never arrived and I'm really upset, this is awful."),
    ("agent", "Calm down. Shipping is not my problem."),
    ("customer", "Unbelievable."),
)


class TestAnalyse:
    def test_polite_resolved_chat_scores_high(self) -> None:
        """A textbook conversation passes greeting and closing and lands near the top of the scale."""
        outcome = analyse(DEFAULT_QA, POLITE)
        assert outcome.ok
        assert outcome.criteria["greeting"] is True
        assert outcome.criteria["closing"] is True
        assert outcome.score is not None
        assert outcome.score >= 90
        assert outcome.sentiment_label == "positive"

    def test_rude_agent_fails_the_prohibited_criterion(self) -> None:
        """Telling a customer to calm down fails compliance and drags the score well below a polite chat."""
        rude, polite = analyse(DEFAULT_QA, RUDE), analyse(DEFAULT_QA, POLITE)
        assert rude.criteria["no_prohibited_language"] is False
        assert rude.criteria["apology"] is False  # the customer was upset and got no apology
        assert rude.score is not None
        assert polite.score is not None
        assert rude.score < polite.score

    def test_fills_every_column_of_a_full_pipeline(self) -> None:
        """With all stages on, the outcome carries the scorecard, sentiment and measures."""
        outcome = analyse(DEFAULT_QA, POLITE)
        assert DEFAULT_QA.criterion_names == list(outcome.criteria)
        assert len(POLITE.turns) == len(outcome.turn_sentiments)
        assert len(POLITE.turns) == outcome.turns
        assert outcome.talk_ratio is not None
        assert outcome.silence_s is None  # a chat without timestamps

    @given(st.booleans(), st.booleans(), st.booleans())
    def test_respects_the_stages(self, sentiment: bool, score: bool, measures: bool) -> None:
        """A stage switched off leaves its columns empty; one switched on fills them."""
        stages = Stages(sentiment=sentiment, score=score, measures=measures)
        outcome = analyse(DEFAULT_QA.model_copy(update={"stages": stages}), POLITE)
        assert outcome.ok
        assert sentiment == (outcome.sentiment_label is not None) == bool(outcome.turn_sentiments)
        assert score == (outcome.score is not None) == bool(outcome.criteria)
        assert measures == (outcome.turns is not None) == (outcome.talk_ratio is not None)

    def test_audio_without_turns_under_a_pipeline_that_does_not_transcribe_is_an_error(self) -> None:
        """Audio the pipeline will not transcribe is reported, not scored, and costs nothing."""
        definition = DEFAULT_QA.model_copy(update={"stages": Stages(transcribe=False)})
        outcome = analyse(definition, chat(audio="audio/c-1.wav", duration_s=120))
        assert outcome.error == NO_TRANSCRIPT_STAGE
        assert Decimal(0) == outcome.credits
        assert outcome.score is None

    def test_no_turns_and_no_audio_is_an_error(self) -> None:
        """An empty conversation is reported rather than given a meaningless score."""
        outcome = analyse(DEFAULT_QA, chat())
        assert not outcome.ok
        assert Decimal(0) == outcome.credits

    @given(
        st.floats(min_value=0.1, max_value=7200, allow_nan=False),
        st.decimals(min_value=0, max_value=10, places=2),
        st.decimals(min_value=0, max_value=10, places=2),
        st.booleans(),
    )
    def test_credits_follow_the_price_formula(
        self, seconds: float, per_conversation: Decimal, per_minute: Decimal, has_audio: bool
    ) -> None:
        """Conversations that come with turns cost the analysis price alone, recording or not: nothing is transcribed.

        (A recording transcribed by the analysis adds a price per started tenth of a minute: test_transcription.)
        """
        prices = Prices(analysis_per_conversation=per_conversation, transcription_per_audio_minute=per_minute)
        definition = DEFAULT_QA.model_copy(update={"prices": prices})
        conversation = chat(("agent", "hello"), audio="a.wav" if has_audio else None, duration_s=seconds)
        outcome = analyse(definition, conversation)
        assert outcome.transcript == []
        assert outcome.credits == per_conversation.quantize(Decimal("0.0001"))

    def test_runs_in_a_worker_process(self) -> None:
        """The process pool can ship the function, definition and conversations, and get outcomes back."""
        assert analyse is pickle.loads(pickle.dumps(analyse))
        with ProcessPoolExecutor(max_workers=1) as pool:
            remote = pool.submit(analyse_batch, DEFAULT_QA, [POLITE, RUDE]).result(timeout=60)
        assert [analyse(DEFAULT_QA, POLITE), analyse(DEFAULT_QA, RUDE)] == remote


def broken(id: str) -> Conversation:
    """A conversation whose turn text is not text (a bad import): analysing it raises."""
    return Conversation(id=id, integration="test", channel=Channel.CHAT, turns=(Turn(Speaker.AGENT, None),))  # type: ignore[arg-type]


class TestAnalyseBatch:
    @given(st.lists(st.sampled_from(["good", "rude", "audio", "broken"]), max_size=8))
    def test_never_raises_and_keeps_order(self, kinds: list[str]) -> None:
        """One outcome per conversation, in order; a bad one gets an error and costs nothing."""
        make = {
            "good": lambda i: chat(*((t.speaker.value, t.text) for t in POLITE.turns), id=i),
            "rude": lambda i: chat(*((t.speaker.value, t.text) for t in RUDE.turns), id=i),
            "audio": lambda i: chat(id=i, audio="x.wav", duration_s=30),
            "broken": broken,
        }
        conversations = [make[kind](f"c-{index}") for index, kind in enumerate(kinds)]
        outcomes = analyse_batch(DEFAULT_QA, conversations)
        assert [c.id for c in conversations] == [o.conversation_id for o in outcomes]
        for kind, outcome in zip(kinds, outcomes, strict=True):
            assert outcome.ok == (kind in {"good", "rude"})
            if not outcome.ok:
                assert outcome.error
                assert Decimal(0) == outcome.credits

    def test_error_text_names_the_failure(self) -> None:
        """The reported error says what went wrong, so the run can show it."""
        [outcome] = analyse_batch(DEFAULT_QA, [broken("bad")])
        assert outcome.error is not None
        assert "AttributeError" in outcome.error
