"""Call and chat measures, evidence and the analysed duration through the store: stored, reused, selected."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from redflare.adapters.db.orm import AnalysisResult, Integration
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.selection import SqlConversationSource
from redflare.adapters.db.store import Store
from redflare.steps.context import Selection
from tests.factories import PROCESS, SELECT_DEMO, T0, make_runner, step, workflow

# A call as a transcript makes it: timed turns, the customer cutting in once (at 4.0 while the agent speaks
# until 5.0), 3 s of silence at most; imported without a length, as audio often is.
CALL_TURNS = [
    {
        "speaker": "agent",
        "text": "Thank you for calling Acme, how can I help you today?",
        "offset_s": 0.0,
        "end_s": 5.0,
    },
    {"speaker": "customer", "text": "My card was charged twice.", "offset_s": 4.0, "end_s": 7.0},
    {"speaker": "agent", "text": "I am sorry, I have refunded it, have a great day.", "offset_s": 10.0, "end_s": 14.0},
]
# A chat with send times: the agent answers after 30 s, then after 60 s.
CHAT_TURNS = [
    {"speaker": "customer", "text": "Hello, is my order shipped?", "offset_s": 0.0},
    {"speaker": "agent", "text": "Hi, thanks for contacting us. Yes, it shipped today.", "offset_s": 30.0},
    {"speaker": "customer", "text": "Great, and the invoice?", "offset_s": 40.0},
    {"speaker": "agent", "text": "Sent to your email address. Have a great day!", "offset_s": 100.0},
]


def add(store: Store, conversation_id: str, channel: str, turns: list[dict[str, Any]], duration: float | None) -> None:
    with store.transaction() as session:
        source = session.scalar(select(Integration).where(Integration.name == "demo"))
        if source is None:
            source = Integration(name="demo", kind="import", config={}, created_at=T0)
            session.add(source)
            session.flush()
        session.add(
            ConversationRow(
                id=conversation_id,
                integration_id=source.id,
                channel=channel,
                started_at=T0,
                duration_s=duration,
                agent="Dana Ito",
                team="Billing",
                queue="general",
                tags=[],
                outcome="resolved",
                language="en",
                extra={},
                turns=turns,
                imported_at=T0,
                updated_at=T0,
            )
        )


def stored(store: Store, conversation_id: str) -> AnalysisResult:
    with store.sessions() as session:
        result = session.scalar(select(AnalysisResult).where(AnalysisResult.conversation_id == conversation_id))
        assert result is not None
        _ = (result.evidence, result.transcript)  # deferred columns: load them while the session is open
        return result


def duration_of(store: Store, conversation_id: str) -> float | None:
    with store.sessions() as session:
        return session.scalar(select(ConversationRow.duration_s).where(ConversationRow.id == conversation_id))


class TestStoredMeasures:
    def test_a_run_stores_measures_and_evidence_and_sets_carry_them(self, store: Store) -> None:
        """The result row keeps every measure and the per-criterion evidence; selections and filters use them."""
        add(store, "call-1", "call", CALL_TURNS, None)
        add(store, "chat-1", "chat", CHAT_TURNS, 120.0)
        runner = make_runner(store)
        interrupted = step(
            "cut_in",
            "filter",
            ["analyse"],
            condition={"rules": [{"field": "interruptions", "operator": ">=", "value": 1}]},
        )
        slow = step(
            "slow",
            "filter",
            ["analyse"],
            condition={"rules": [{"field": "agent_response_s", "operator": ">", "value": 40}]},
        )
        # The call's analysed length shows in this run's set already, not only after its conversation is updated.
        length = step(
            "length",
            "filter",
            ["analyse"],
            condition={"rules": [{"field": "duration_s", "operator": "=", "value": 14}]},
        )
        resource = runner.run_document(workflow(SELECT_DEMO, PROCESS, interrupted, slow, length))
        assert resource["status"] == "completed"
        steps = {s["id"]: s for s in resource["steps"]}
        assert steps["cut_in"]["rows_out"] == 1  # the call
        assert steps["slow"]["rows_out"] == 1  # the chat: (30 + 60) / 2 = 45 s
        assert steps["length"]["rows_out"] == 1

        call, chat = stored(store, "call-1"), stored(store, "chat-1")
        assert (call.interruptions, call.longest_silence_s, call.silence_s) == (1, 3.0, 3.0)
        assert call.talk_ratio == round(9 / 12, 4)  # by time: 9 s of the agent's, 3 of the customer's
        assert call.duration_s == 14.0  # no length imported: the speech span
        assert call.agent_response_s == 3.0  # the caller stops at 7 s, the agent answers at 10 s
        assert (chat.agent_response_s, chat.duration_s, chat.interruptions) == (45.0, 120.0, None)
        greeting = call.evidence["greeting"]
        assert greeting is not None
        assert (greeting["turn"], greeting["speaker"], greeting["offset_s"]) == (0, "agent", 0.0)
        assert greeting["match"] in {"thank you for calling", "how can i help"}
        assert call.evidence["no_prohibited_language"] is None  # a pass has no turn to show
        assert call.transcript == []  # text conversations are not transcribed
        # The call had no length: the analysed one now shows as its duration; a known one is kept.
        assert (duration_of(store, "call-1"), duration_of(store, "chat-1")) == (14.0, 120.0)

    def test_reused_and_selected_results_carry_the_measures(self, store: Store) -> None:
        """A second run reuses the stored result with its measures; Select's processed rows carry them too."""
        add(store, "call-1", "call", CALL_TURNS, None)
        runner = make_runner(store)
        runner.run_document(workflow(SELECT_DEMO, PROCESS))
        again = step(
            "cut_in",
            "filter",
            ["analyse"],
            condition={"rules": [{"field": "longest_silence_s", "operator": "=", "value": 3}]},
        )
        resource = runner.run_document(workflow(SELECT_DEMO, PROCESS, again))
        steps = {s["id"]: s for s in resource["steps"]}
        assert steps["analyse"]["tally"]["reused"] == 1
        assert steps["cut_in"]["rows_out"] == 1
        frame = SqlConversationSource(store.sessions).select(
            Selection(pipeline="default-qa", state="processed", with_analysis=True)
        )
        row = frame.row(0, named=True)
        assert (row["interruptions"], row["longest_silence_s"], row["duration_s"]) == (1, 3.0, 14.0)
        assert row["agent_response_s"] == 3.0
