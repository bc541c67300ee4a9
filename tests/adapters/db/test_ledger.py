"""The ledger's settle against a real store: results stored once per version, charged once, durations filled."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from redflare.adapters.db import ledger
from redflare.adapters.db.ledger import SqlSpendGuard
from redflare.adapters.db.orm import AnalysisResult, Charge, Run, Workflow
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.pipelines import save_pipeline
from redflare.adapters.db.store import Store
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition, Prices, Stages
from redflare.domain.errors import Cancelled
from redflare.domain.ports import FixedClock
from redflare.domain.workflow import Settings as Limits
from tests.factories import T0, add_conversations

PIPELINE = PipelineDefinition(
    name="ledger-test",
    description="Settled by hand in these tests.",
    stages=Stages(transcribe=False, sentiment=False, score=False, measures=False),
    prices=Prices(analysis_per_conversation=Decimal("0.5"), transcription_per_audio_minute=Decimal(0)),
)
IDS = [f"c-{i:05d}" for i in range(6)]


@pytest.fixture
def guard(store: Store) -> SqlSpendGuard:
    add_conversations(store, len(IDS))
    with store.transaction() as session:
        save_pipeline(session, PIPELINE, now=T0)
        session.add(Workflow(id="wf", name="Ledger", status="live", draft={}, created_at=T0, updated_at=T0))
        session.flush()
        for number, run_id in enumerate(("run", "other"), 1):
            session.add(
                Run(
                    id=run_id,
                    workflow_id="wf",
                    number=number,
                    status="running",
                    trigger_type="manual",
                    definition={},
                    created_at=T0,
                )
            )
    return guard_of(store)


def guard_of(store: Store, run_id: str = "run") -> SqlSpendGuard:
    clock = FixedClock(T0 + timedelta(minutes=5))
    return SqlSpendGuard(store.sessions, clock, run_id=run_id, workflow_id="wf", step_id="analyse", limits=Limits())


def outcome(conversation_id: str, **fields: Any) -> AnalysisOutcome:
    return AnalysisOutcome(conversation_id=conversation_id, credits=Decimal("0.5"), **fields)


def charged(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(session.scalars(select(Charge.conversation_id)))


def results(store: Store) -> dict[str, AnalysisResult]:
    with store.read() as session:
        rows = session.scalars(select(AnalysisResult)).all()
        for row in rows:  # deferred columns: load them while the session is open
            _ = (row.turn_sentiments, row.evidence, row.transcript)
        return {row.conversation_id: row for row in rows}


def run_totals(store: Store, run_id: str = "run") -> tuple[Decimal, int]:
    with store.read() as session:
        run = session.get(Run, run_id)
        assert run is not None
        return run.credits, run.conversations_processed


class TestSettle:
    def test_stores_every_field_and_charges_each_conversation_once(self, store: Store, guard: SqlSpendGuard) -> None:
        """A settled result keeps what the analysis found, exactly; its charge and the run's totals follow."""
        evidence: dict[str, dict[str, object] | None] = {
            "greeting": {"turn": 0, "speaker": "agent", "text": "Hello — ça va?", "match": "hello", "similarity": 90.5},
            "closing": None,
        }
        transcript: list[dict[str, object]] = [{"speaker": "agent", "text": "Hi", "offset_s": 0.0, "end_s": 1.5}]
        full = outcome(
            IDS[0],
            score=85.7,
            sentiment=-0.25,
            sentiment_label="negative",
            criteria={"greeting": True, "closing": None, "apology": False},
            talk_ratio=0.5,
            turns=7,
            silence_s=3.0,
            longest_silence_s=2.0,
            interruptions=1,
            agent_response_s=4.5,
            duration_s=42.0,
            turn_sentiments=[0.1, None, -0.5],
            evidence=evidence,
            transcript=transcript,
        )
        amount = guard.settle([full, outcome(IDS[1])], PIPELINE, reprocess=False)

        stored = results(store)
        first, plain = stored[IDS[0]], stored[IDS[1]]
        assert (first.score, first.sentiment, first.sentiment_label, first.talk_ratio) == (85.7, -0.25, "negative", 0.5)
        assert (first.turns, first.silence_s, first.longest_silence_s, first.interruptions) == (7, 3.0, 2.0, 1)
        assert (first.agent_response_s, first.duration_s, first.credits) == (4.5, 42.0, Decimal("0.5"))
        assert first.criteria == {"greeting": True, "closing": None, "apology": False}
        assert (first.turn_sentiments, first.evidence, first.transcript) == ([0.1, None, -0.5], evidence, transcript)
        assert (first.run_id, first.created_at, first.pipeline_version) == ("run", T0 + timedelta(minutes=5), 1)
        assert (plain.criteria, plain.evidence, plain.turn_sentiments, plain.transcript) == ({}, {}, [], [])
        assert (amount, charged(store), run_totals(store)) == (Decimal("1.0"), IDS[:2], (Decimal("1.0"), 2))

    def test_settling_stored_conversations_again_charges_nothing(self, store: Store, guard: SqlSpendGuard) -> None:
        """The same version's result is never stored or billed twice, in one batch or across batches and runs."""
        guard.settle([outcome(IDS[0]), outcome(IDS[1])], PIPELINE, reprocess=False)
        again = guard.settle([outcome(IDS[1], score=1.0), outcome(IDS[2]), outcome(IDS[2])], PIPELINE, reprocess=False)
        other_run = guard_of(store, "other").settle([outcome(IDS[0])], PIPELINE, reprocess=False)

        assert (again, other_run) == (Decimal("0.5"), Decimal(0))
        assert charged(store) == IDS[:3]
        assert results(store)[IDS[1]].score is None  # the first result stays
        assert run_totals(store) == (Decimal("1.5"), 3)

    def test_reprocess_replaces_and_charges_again(self, store: Store, guard: SqlSpendGuard) -> None:
        """With reprocess, the stored result is replaced by the new one and the work is paid for again."""
        guard.settle([outcome(IDS[0], score=10.0)], PIPELINE, reprocess=False)
        amount = guard.settle([outcome(IDS[0], score=20.0), outcome(IDS[1])], PIPELINE, reprocess=True)

        assert amount == Decimal("1.0")
        assert charged(store) == [IDS[0], IDS[0], IDS[1]]
        assert (results(store)[IDS[0]].score, len(results(store))) == (20.0, 2)

    def test_failed_outcomes_are_neither_stored_nor_charged(self, store: Store, guard: SqlSpendGuard) -> None:
        """A conversation the analysis could not handle costs nothing and leaves no result."""
        amount = guard.settle([outcome(IDS[0], error="no turns"), outcome(IDS[1])], PIPELINE, reprocess=False)
        assert (amount, charged(store), list(results(store))) == (Decimal("0.5"), [IDS[1]], [IDS[1]])

    def test_a_result_stored_meanwhile_by_another_run_is_not_charged(
        self, store: Store, guard: SqlSpendGuard, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When another run stores a conversation between the look-up and the insert, the unique key decides:
        this settle keeps the other's result and charges only what it wrote."""
        guard_of(store, "other").settle([outcome(IDS[0], score=1.0)], PIPELINE, reprocess=False)
        monkeypatch.setattr(ledger, "_stored_ids", lambda *args: set())  # the look-up ran before the other's commit
        amount = guard.settle([outcome(IDS[0], score=2.0), outcome(IDS[1])], PIPELINE, reprocess=False)

        assert amount == Decimal("0.5")
        assert charged(store) == [IDS[0], IDS[1]]
        assert results(store)[IDS[0]].score == 1.0
        assert run_totals(store) == (Decimal("0.5"), 1)

    def test_a_cancelled_run_settles_nothing(self, store: Store, guard: SqlSpendGuard) -> None:
        """Once the run is cancelled, a batch finishing late stores and charges nothing."""
        with store.transaction() as session:
            session.execute(update(Run).values(status="cancelled"))
        with pytest.raises(Cancelled):
            guard.settle([outcome(IDS[0])], PIPELINE, reprocess=False)
        assert (charged(store), results(store)) == ([], {})


class TestDurations:
    def test_an_unknown_length_takes_the_analysed_one_and_a_known_one_stays(
        self, store: Store, guard: SqlSpendGuard
    ) -> None:
        """A conversation imported without a length gets the analysed duration; a known length is kept."""
        with store.transaction() as session:
            session.execute(update(ConversationRow).where(ConversationRow.id.in_(IDS[:2])).values(duration_s=None))
        known = durations(store)[IDS[2]]
        guard.settle(
            [outcome(IDS[0], duration_s=14.0), outcome(IDS[1]), outcome(IDS[2], duration_s=1.0)],
            PIPELINE,
            reprocess=False,
        )
        assert [durations(store)[i] for i in IDS[:3]] == [14.0, None, known]

    def test_a_stored_result_still_fills_an_unknown_length(self, store: Store, guard: SqlSpendGuard) -> None:
        """Reusing nothing new is no reason to leave a length unknown that an outcome brings."""
        guard.settle([outcome(IDS[0])], PIPELINE, reprocess=False)
        with store.transaction() as session:
            session.execute(update(ConversationRow).where(ConversationRow.id == IDS[0]).values(duration_s=None))
        guard.settle([outcome(IDS[0], duration_s=9.5)], PIPELINE, reprocess=False)
        assert durations(store)[IDS[0]] == 9.5


def durations(store: Store) -> dict[str, float | None]:
    with store.read() as session:
        return dict(session.execute(select(ConversationRow.id, ConversationRow.duration_s)).all())


def test_results_count_matches_charges(store: Store, guard: SqlSpendGuard) -> None:
    """Across batches of new, stored and repeated conversations, every charge has exactly one result."""
    for batch in ([IDS[0], IDS[1]], [IDS[1], IDS[2], IDS[3]], IDS):
        guard.settle([outcome(i) for i in batch], PIPELINE, reprocess=False)
    with store.read() as session:
        count = session.scalar(select(func.count()).select_from(AnalysisResult))
    assert (count, charged(store)) == (len(IDS), IDS)


class TestBlankResults:
    def test_blank_outcomes_are_stored_as_row_by_row_inserts_store_them(
        self, store: Store, guard: SqlSpendGuard, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A pipeline that does nothing writes its results in one statement: the same rows, charged the same."""
        first = guard.settle([outcome(i) for i in IDS[:3]], PIPELINE, reprocess=False)
        monkeypatch.setattr(ledger, "_blank", lambda _outcome: False)  # the rest through the general insert
        second = guard.settle([outcome(i) for i in IDS[3:]], PIPELINE, reprocess=False)
        stored = results(store)
        columns = [c for c in ledger.RESULT_COLUMNS if c != "conversation_id"]
        rows = [[getattr(stored[i], c) for c in columns] for i in IDS]
        assert first == second == Decimal("1.5")
        assert all(row == rows[0] for row in rows)  # every column but the id alike, whichever way it was written
        assert rows[0][columns.index("criteria")] == {}
        assert rows[0][columns.index("transcript")] == []
        assert charged(store) == IDS


class TestSettleBlank:
    """A pipeline with no stage on (PIPELINE: its prices never apply) settles ids, not outcomes: the same rows and
    guarantees as `settle`."""

    def test_the_same_rows_as_settling_blank_outcomes(self, store: Store, guard: SqlSpendGuard) -> None:
        blank = [AnalysisOutcome(conversation_id=i, credits=Decimal(0)) for i in IDS[:3]]
        amounts = (
            guard.settle(blank, PIPELINE, reprocess=False),
            guard.settle_blank(IDS[3:], [], PIPELINE, reprocess=False),
        )
        stored = results(store)
        columns = [c for c in ledger.RESULT_COLUMNS if c != "conversation_id"]
        rows = [[getattr(stored[i], c) for c in columns] for i in IDS]
        assert amounts == (Decimal(0), Decimal(0))
        assert all(row == rows[0] for row in rows)
        assert (charged(store), run_totals(store)) == ([], (Decimal(0), len(IDS)))

    def test_stored_conversations_are_neither_stored_nor_counted_again(
        self, store: Store, guard: SqlSpendGuard
    ) -> None:
        """Within a batch, across batches and across runs: the unique key decides, the count follows."""
        guard.settle_blank([IDS[0], IDS[1], IDS[1]], [], PIPELINE, reprocess=False)
        guard.settle_blank([IDS[1], IDS[2]], [], PIPELINE, reprocess=False)
        guard_of(store, "other").settle_blank([IDS[0], IDS[3]], [], PIPELINE, reprocess=False)
        assert sorted(results(store)) == IDS[:4]
        assert (run_totals(store), run_totals(store, "other")) == ((Decimal(0), 3), (Decimal(0), 1))

    def test_reprocess_replaces_and_counts_every_one(self, store: Store, guard: SqlSpendGuard) -> None:
        guard.settle([outcome(IDS[0], score=10.0)], PIPELINE, reprocess=False)
        guard.settle_blank([IDS[0], IDS[1]], [], PIPELINE, reprocess=True)
        stored = results(store)
        assert (stored[IDS[0]].score, stored[IDS[0]].credits, len(stored)) == (None, Decimal(0), 2)
        assert run_totals(store) == (Decimal("0.5"), 3)

    def test_failed_ones_leave_nothing(self, store: Store, guard: SqlSpendGuard) -> None:
        guard.settle_blank([IDS[0]], [IDS[1], IDS[2]], PIPELINE, reprocess=False)
        assert (list(results(store)), run_totals(store)) == ([IDS[0]], (Decimal(0), 1))

    def test_a_cancelled_run_settles_nothing(self, store: Store, guard: SqlSpendGuard) -> None:
        with store.transaction() as session:
            session.execute(update(Run).values(status="cancelled"))
        with pytest.raises(Cancelled):
            guard.settle_blank(IDS, [], PIPELINE, reprocess=False)
        assert results(store) == {}
