"""The shipped pipelines: default-qa loads, and scores real customer-support chats (ABCD sample)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from redflare.analysis.analyse import analyse
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.analysis.pipeline import PhraseNotSaid, PhraseSaid, SentimentAtEnd
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn

ABCD = Path("/work/shared/datasets/abcd/abcd_sample.json")
ABCD_SPEAKERS = {"agent": Speaker.AGENT, "customer": Speaker.CUSTOMER, "action": Speaker.SYSTEM}


class TestLoadBuiltinPipelines:
    def test_default_qa_is_shipped(self) -> None:
        """default-qa is available with the support criteria a QA lead expects and the published prices."""
        default_qa = load_builtin_pipelines()["default-qa"]
        assert default_qa.name == "default-qa"
        expected = {"greeting", "identity_check", "apology", "resolution", "closing"}
        assert expected <= set(default_qa.criterion_names)
        kinds = {type(criterion) for criterion in default_qa.scorecard}
        assert {PhraseSaid, PhraseNotSaid, SentimentAtEnd} <= kinds
        assert Decimal(1) == default_qa.prices.analysis_per_conversation
        assert Decimal("0.5") == default_qa.prices.transcription_per_audio_minute

    def test_apology_applies_only_to_upset_customers(self) -> None:
        """The apology criterion is conditional on a customer turn being clearly negative."""
        apology = next(c for c in load_builtin_pipelines()["default-qa"].scorecard if c.name == "apology")
        assert isinstance(apology, PhraseSaid)
        assert apology.when_customer_sentiment_below is not None
        assert apology.when_customer_sentiment_below < 0

    def test_every_pipeline_is_keyed_by_its_name(self) -> None:
        """The catalog is a name → definition map, and a caller mutating it does not change the next one."""
        pipelines = load_builtin_pipelines()
        assert all(name == definition.name for name, definition in pipelines.items())
        pipelines.clear()
        assert "default-qa" in load_builtin_pipelines()


def _abcd_conversations() -> list[Conversation]:
    rows: list[dict[str, Any]] = json.loads(ABCD.read_text(encoding="utf-8"))
    return [
        Conversation(
            id=str(row["convo_id"]),
            integration="abcd",
            channel=Channel.CHAT,
            turns=tuple(Turn(ABCD_SPEAKERS[speaker], text) for speaker, text in row["original"]),
        )
        for row in rows
    ]


@pytest.mark.skipif(not ABCD.exists(), reason="the ABCD sample dataset is not present")
class TestDefaultQaOnAbcd:
    def test_real_chats_get_real_results(self) -> None:
        """Each real chat gets a score, a sentiment with its label, a verdict per criterion and its measures."""
        default_qa = load_builtin_pipelines()["default-qa"]
        conversations = _abcd_conversations()
        assert conversations
        for conversation in conversations:
            outcome = analyse(default_qa, conversation)
            assert outcome.ok, outcome.error
            assert outcome.score is not None
            assert 0 <= outcome.score <= 100
            assert outcome.sentiment is not None
            assert -1 <= outcome.sentiment <= 1
            thresholds = default_qa.sentiment
            negative, positive = (
                outcome.sentiment < thresholds.negative_below,
                outcome.sentiment > thresholds.positive_above,
            )
            expected_label = "negative" if negative else "positive" if positive else "neutral"
            assert expected_label == outcome.sentiment_label
            assert default_qa.criterion_names == list(outcome.criteria)
            spoken = [turn for turn in conversation.turns if turn.speaker is not Speaker.SYSTEM]
            assert len(spoken) == outcome.turns
            events = [score is None for score in outcome.turn_sentiments]
            assert [turn.speaker is Speaker.SYSTEM for turn in conversation.turns] == events
            assert outcome.talk_ratio is not None
            assert 0 < outcome.talk_ratio < 1  # both sides typed something
            assert default_qa.prices.analysis_per_conversation == outcome.credits

    def test_agents_who_greet_pass_the_greeting(self) -> None:
        """Where an agent's first turn opens with a greeting word, the greeting criterion passes on real text."""
        default_qa = load_builtin_pipelines()["default-qa"]
        greeting_words = ("hi", "hello", "good morning", "good afternoon", "good evening")
        for conversation in _abcd_conversations():
            first_agent = next(turn for turn in conversation.turns if turn.speaker is Speaker.AGENT)
            if first_agent.text.lower().startswith(greeting_words):
                assert analyse(default_qa, conversation).criteria["greeting"] is True
