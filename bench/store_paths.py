"""Store paths benchmark (issue P7): Select Conversations' read and the ledger's settle, each beside a baseline.

Run from the repository root:  .venv/bin/python bench/store_paths.py [--n 100000] [--rounds 3]
                                   [--batches 200] [--batch-size 500] [--profile]

One fresh SQLite store in a temp folder (migrated like `redflare serve` does, a free no-op pipeline saved)
gets N seeded synthetic conversations (`bench.synthetic`, loaded with `upsert_conversations`; not timed). Then:

- (a) select: `SqlConversationSource.select` of every conversation of the integration, newest first, against a
  bare script: sqlite3 → rows → a polars frame of the same columns (start times parsed, tags decoded) sorted
  the same way. The two frames must be equal (`DataFrame.equals`: schema, values and order).
- (b) settle, no-op: `--batches` batches of `--batch-size` outcomes as the no-op pipeline makes them (nothing
  but the conversation id) through `SqlSpendGuard.settle`, against the same batches through the settle this
  issue replaced (`BaselineSpendGuard` below, kept as it was: upsert … RETURNING, the JSON type's dumping of
  four columns, an UPDATE for durations per batch).
- (c) settle, analysed: the same with outcomes as default-qa makes them (score, sentiment, seven criteria,
  evidence, turn sentiments, measures, a duration, one credit each); one conversation in a hundred is stored
  without a duration first, so the analysed duration fills it.
  For (b) and (c), after each side the stored results (every column, raw), the charges, the run's totals and
  the conversations' durations are read back and must be equal between the sides; then they are reset.

Rounds are paired: each round runs the baseline, then ours, and the ratio (ours ÷ baseline) is taken within the
round, so a machine busy with other work slows both sides of a round alike. The medians of ≥ 3 rounds are
printed, for wall time and for this process's CPU time, with the load average (1 min) around each round.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable for `bench.*`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl
from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bench.synthetic import INTEGRATION, iter_conversations
from redflare.adapters.db.conversations import ensure_integration, upsert_conversations
from redflare.adapters.db.database import make_engine, migrate, session_factory
from redflare.adapters.db.ledger import _CHARGES, _CONVERSATIONS, _RESULTS, SqlSpendGuard, run_status_now
from redflare.adapters.db.orm import Run, Workflow
from redflare.adapters.db.pipelines import get_pipeline, save_pipeline
from redflare.adapters.db.runs import add_run_totals
from redflare.adapters.db.selection import SqlConversationSource
from redflare.adapters.db.store import Store
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition, Prices, Stages
from redflare.domain.credits import ZERO
from redflare.domain.errors import Cancelled
from redflare.domain.runs import RunStatus
from redflare.domain.workflow import Settings as Limits
from redflare.steps.context import Selection

LOAD_CHUNK = 10_000
NOW = datetime(2026, 3, 2, tzinfo=UTC)
PIPELINE = PipelineDefinition(
    name="bench-noop",
    description="Benchmark: every stage off, free.",
    stages=Stages(transcribe=False, sentiment=False, score=False, measures=False),
    prices=Prices(analysis_per_conversation=Decimal(0), transcription_per_audio_minute=Decimal(0)),
)
CRITERIA = ["greeting", "identity_check", "apology", "resolution", "closing", "no_prohibited_language", "ends_well"]
BARE_QUERY = (
    "SELECT c.id, i.name, c.channel, c.started_at, c.duration_s, c.agent, c.team, c.queue, c.tags, c.outcome,"
    " c.language FROM conversations c JOIN integrations i ON i.id = c.integration_id WHERE i.name = ?"
)
BARE_SCHEMA = {
    "id": pl.String,
    "integration": pl.String,
    "channel": pl.String,
    "started_at": pl.String,
    "duration_s": pl.Float64,
    "agent": pl.String,
    "team": pl.String,
    "queue": pl.String,
    "tags": pl.String,
    "outcome": pl.String,
    "language": pl.String,
}


class FixedClock:
    def now(self) -> datetime:
        return NOW


# --- the baseline: settle as it was before this issue (adapters/db/ledger.py at f429f63) ---------------------


class BaselineSpendGuard(SqlSpendGuard):
    def settle(self, outcomes: Sequence[AnalysisOutcome], pipeline: PipelineDefinition, *, reprocess: bool) -> Decimal:
        with self._lock:
            for outcome in outcomes:
                self._reserved.pop(outcome.conversation_id, None)
            if self._test:
                if run_status_now(self._sessions, self._run_id) is not RunStatus.RUNNING:
                    raise Cancelled("the run was cancelled")
                return ZERO
            now = self._clock.now()
            with self._sessions.begin() as session:
                pipeline_id, _ = get_pipeline(session, pipeline.name)
                charged = self._old_store_results(
                    session, [o for o in outcomes if o.ok], pipeline, pipeline_id, reprocess=reprocess, now=now
                )
                amount = sum((o.credits for o in charged), ZERO)
                if not add_run_totals(session, run_id=self._run_id, credits=amount, processed=len(charged)):
                    session.rollback()
                    raise Cancelled("the run was cancelled")
                charges = [
                    {
                        "workflow_id": self._workflow_id,
                        "run_id": self._run_id,
                        "step_id": self._step_id,
                        "conversation_id": o.conversation_id,
                        "pipeline_id": pipeline_id,
                        "pipeline_version": pipeline.version,
                        "amount": o.credits,
                        "at": now,
                    }
                    for o in charged
                    if o.credits > 0
                ]
                if charges:
                    session.execute(insert(_CHARGES), charges)
            return amount

    def _old_store_results(
        self,
        session: Session,
        outcomes: Sequence[AnalysisOutcome],
        pipeline: PipelineDefinition,
        pipeline_id: int,
        *,
        reprocess: bool,
        now: datetime,
    ) -> list[AnalysisOutcome]:
        if not outcomes:
            return []
        rows = [_old_result_row(o, pipeline_id, pipeline.version, self._run_id, now) for o in outcomes]
        dialect = session.get_bind().dialect.name
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = upsert(_RESULTS)
        keys = ["conversation_id", "pipeline_id", "pipeline_version"]
        if reprocess:
            updated = {k: statement.excluded[k] for k in rows[0] if k not in keys}
            statement = statement.on_conflict_do_update(index_elements=keys, set_=updated)
        else:
            statement = statement.on_conflict_do_nothing(index_elements=keys)
        written = set(session.scalars(statement.returning(_RESULTS.c.conversation_id), rows))
        durations = [
            {"conversation": o.conversation_id, "analysed": o.duration_s} for o in outcomes if o.duration_s is not None
        ]
        if durations:
            session.execute(
                update(_CONVERSATIONS)
                .where(_CONVERSATIONS.c.id == bindparam("conversation"), _CONVERSATIONS.c.duration_s.is_(None))
                .values(duration_s=bindparam("analysed")),
                durations,
            )
        return [o for o in outcomes if o.conversation_id in written]


def _old_result_row(
    outcome: AnalysisOutcome, pipeline_id: int, version: int, run_id: str, now: datetime
) -> dict[str, Any]:
    return {
        "conversation_id": outcome.conversation_id,
        "pipeline_id": pipeline_id,
        "pipeline_version": version,
        "score": outcome.score,
        "sentiment": outcome.sentiment,
        "sentiment_label": outcome.sentiment_label,
        "criteria": outcome.criteria,
        "talk_ratio": outcome.talk_ratio,
        "turns": outcome.turns,
        "silence_s": outcome.silence_s,
        "longest_silence_s": outcome.longest_silence_s,
        "interruptions": outcome.interruptions,
        "agent_response_s": outcome.agent_response_s,
        "duration_s": outcome.duration_s,
        "turn_sentiments": outcome.turn_sentiments,
        "evidence": outcome.evidence,
        "transcript": outcome.transcript,
        "credits": outcome.credits,
        "run_id": run_id,
        "created_at": now,
    }


# --- the store ---------------------------------------------------------------------------------------------


@dataclass
class Bench:
    store: Store
    path: Path
    ids: list[str]
    durations: dict[str, float]  # conversation id → its stored duration


def prepare(folder: Path, n: int) -> Bench:
    """A fresh migrated SQLite store with the bench pipeline, a running run and `n` conversations."""
    path = folder / "redflare.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    store = Store(engine=engine, sessions=session_factory(engine), artifacts_dir=folder)
    with store.transaction() as session:
        save_pipeline(session, PIPELINE, now=NOW)
        integration_id = ensure_integration(session, name=INTEGRATION).id
        session.add(Workflow(id="wf-bench", name="Bench", status="live", draft={}, created_at=NOW, updated_at=NOW))
        session.flush()  # no relationship tells the ORM the run depends on the workflow
        session.add(
            Run(
                id="run-bench",
                workflow_id="wf-bench",
                number=1,
                status=str(RunStatus.RUNNING),
                trigger_type="manual",
                definition={},
                created_at=NOW,
                started_at=NOW,
            )
        )
    ids: list[str] = []
    durations: dict[str, float] = {}
    stream = iter_conversations(n)
    while chunk := list(islice(stream, LOAD_CHUNK)):
        with store.transaction() as session:
            upsert_conversations(session, integration_id=integration_id, conversations=chunk, now=NOW)
        ids.extend(c.id for c in chunk)
        durations.update((c.id, c.duration_s) for c in chunk if c.duration_s is not None)
    return Bench(store, path, ids, durations)


def reset(bench: Bench, *, unknown: Sequence[str] | set[str] = ()) -> None:
    """No results, no charges, the run's totals at zero; `unknown` conversations stored without a duration."""
    unknown = set(unknown)
    with bench.store.transaction() as session:
        session.execute(delete(_RESULTS))
        session.execute(delete(_CHARGES))
        session.execute(update(Run).values(credits=Decimal(0), conversations_processed=0))
        session.execute(
            update(_CONVERSATIONS)
            .where(_CONVERSATIONS.c.id == bindparam("key"))
            .values(duration_s=bindparam("duration")),
            [{"key": i, "duration": None if i in unknown else bench.durations[i]} for i in bench.ids[::100]],
        )


def stored_state(bench: Bench) -> tuple[list[Any], ...]:
    """Everything a settle writes, as stored (JSON as its text), for comparing the two sides by value."""
    with sqlite3.connect(bench.path) as raw:
        results = raw.execute("SELECT * FROM analysis_results ORDER BY conversation_id").fetchall()
        columns = [d[0] for d in raw.execute("SELECT * FROM analysis_results LIMIT 0").description]
        keep = [i for i, name in enumerate(columns) if name != "id"]  # the row id is the only thing free to differ
        charges = raw.execute(
            "SELECT workflow_id, run_id, step_id, conversation_id, pipeline_id, pipeline_version, amount, at"
            " FROM charges ORDER BY conversation_id"
        ).fetchall()
        run = raw.execute("SELECT credits, conversations_processed FROM runs").fetchall()
        durations = raw.execute("SELECT id, duration_s FROM conversations ORDER BY id").fetchall()
    return [tuple(row[i] for i in keep) for row in results], charges, run, durations


# --- the timed work ----------------------------------------------------------------------------------------


@dataclass
class Timing:
    wall_s: float
    cpu_s: float
    output: Any


def timed(work: Callable[[], Any]) -> Timing:
    cpu, wall = time.process_time(), time.perf_counter()
    output = work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, output)


def bare_select(path: Path) -> pl.DataFrame:
    """What a plain script does: sqlite3 rows into polars, then parse, decode and sort in polars."""
    with sqlite3.connect(path) as raw:
        rows = raw.execute(BARE_QUERY, (INTEGRATION,)).fetchall()
    return (
        pl.DataFrame(rows, schema=BARE_SCHEMA, orient="row")
        .with_columns(
            pl.col("started_at").str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", time_zone="UTC"),
            pl.col("tags").str.json_decode(pl.List(pl.String)),
        )
        .sort(["started_at", "id"], descending=[True, False], nulls_last=True)
    )


def noop_outcomes(ids: Sequence[str]) -> list[AnalysisOutcome]:
    return [AnalysisOutcome(conversation_id=i) for i in ids]


def analysed_outcomes(ids: Sequence[str], durations: dict[str, float]) -> list[AnalysisOutcome]:
    """Outcomes shaped like default-qa's: every field filled, evidence for a few criteria, one credit."""
    outcomes = []
    for index, conversation_id in enumerate(ids):
        passes: dict[str, bool | None] = {name: (index + k) % 4 != 0 for k, name in enumerate(CRITERIA)}
        evidence: dict[str, dict[str, object] | None] = {
            name: (
                {"turn": k, "speaker": "agent", "text": f"line {k} of {conversation_id}", "offset_s": 2.0 * k}
                | {"end_s": 2.0 * k + 1.5, "match": "thank you", "similarity": 91.5, "value": None}
                if passes[name] and k < 4
                else None
            )
            for k, name in enumerate(CRITERIA)
        }
        outcomes.append(
            AnalysisOutcome(
                conversation_id=conversation_id,
                score=round(100 * sum(bool(v) for v in passes.values()) / len(passes), 1),
                sentiment=0.25,
                sentiment_label="positive",
                criteria=passes,
                talk_ratio=0.55,
                turns=11,
                silence_s=12.5,
                longest_silence_s=4.0,
                interruptions=None,
                agent_response_s=3.5,
                duration_s=durations[conversation_id],
                turn_sentiments=[round(0.1 * (k % 7) - 0.3, 3) for k in range(11)],
                evidence=evidence,
                credits=Decimal(1),
            )
        )
    return outcomes


def settle_all(guard_type: type[SqlSpendGuard], bench: Bench, batches: list[list[AnalysisOutcome]]) -> Decimal:
    guard = guard_type(
        bench.store.sessions,
        FixedClock(),
        run_id="run-bench",
        workflow_id="wf-bench",
        step_id="analyse",
        limits=Limits(),
    )
    return sum((guard.settle(batch, PIPELINE, reprocess=False) for batch in batches), ZERO)


# --- rounds and report -------------------------------------------------------------------------------------


@dataclass
class Pair:
    baseline: Timing
    ours: Timing
    load: tuple[float, float]  # 1-minute load average before and after the round
    same: bool


def report(title: str, pairs: list[Pair], unit: str) -> None:
    print(f"\n{title}")
    for number, pair in enumerate(pairs, 1):
        b, o = pair.baseline, pair.ours
        print(
            f"  round {number}: baseline {b.wall_s:6.3f} s (cpu {b.cpu_s:6.3f})  ours {o.wall_s:6.3f} s"
            f" (cpu {o.cpu_s:6.3f})  ours/baseline wall {o.wall_s / b.wall_s:5.2f} cpu {o.cpu_s / b.cpu_s:5.2f}"
            f"  load {pair.load[0]:.2f}→{pair.load[1]:.2f}  outputs equal: {pair.same}"
        )
    wall = statistics.median(p.ours.wall_s / p.baseline.wall_s for p in pairs)
    cpu = statistics.median(p.ours.cpu_s / p.baseline.cpu_s for p in pairs)
    baseline_cpu = statistics.median(p.baseline.cpu_s for p in pairs)
    ours_cpu = statistics.median(p.ours.cpu_s for p in pairs)
    print(
        f"  median of {len(pairs)} rounds: ours/baseline wall {wall:.2f}, cpu {cpu:.2f};"
        f" cpu baseline {baseline_cpu:.3f} s, ours {ours_cpu:.3f} s ({unit});"
        f" outputs equal in every round: {all(p.same for p in pairs)}"
    )


def select_round(bench: Bench) -> Pair:
    source = SqlConversationSource(bench.store.sessions)
    load = os.getloadavg()[0]
    baseline = timed(lambda: bare_select(bench.path))
    ours = timed(lambda: source.select(Selection(integration=INTEGRATION)))
    return Pair(baseline, ours, (load, os.getloadavg()[0]), baseline.output.equals(ours.output))


def settle_round(bench: Bench, batches: list[list[AnalysisOutcome]], unknown: Sequence[str]) -> Pair:
    load = os.getloadavg()[0]
    reset(bench, unknown=unknown)
    baseline = timed(lambda: settle_all(BaselineSpendGuard, bench, batches))
    before = stored_state(bench)
    reset(bench, unknown=unknown)
    ours = timed(lambda: settle_all(SqlSpendGuard, bench, batches))
    after = stored_state(bench)
    same = baseline.output == ours.output and before == after
    return Pair(baseline, ours, (load, os.getloadavg()[0]), same)


def profile(label: str, work: Callable[[], Any]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(work)
    print(f"\n--- cProfile: {label}, top 20 by own time ---")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="cProfile each side of (b) and (c) once, at the end")
    args = parser.parse_args()
    if args.batches * args.batch_size > args.n:
        parser.error("--batches × --batch-size must not exceed --n (each outcome is a stored conversation)")
    print(f"store paths: N = {args.n:,}, {args.rounds} paired rounds, {os.cpu_count()} cores,")
    print(f"settle: {args.batches} batches of {args.batch_size}; load average {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="redflare-store-paths-") as folder:
        started = time.perf_counter()
        bench = prepare(Path(folder), args.n)
        print(f"store prepared in {time.perf_counter() - started:.1f} s")
        settled = bench.ids[: args.batches * args.batch_size]
        chunks = [settled[i : i + args.batch_size] for i in range(0, len(settled), args.batch_size)]
        noop = [noop_outcomes(chunk) for chunk in chunks]
        analysed = [analysed_outcomes(chunk, bench.durations) for chunk in chunks]
        unknown = settled[::100]

        select_round(bench)  # warm-up: imports, statement caches, the file in the page cache
        report(
            f"(a) select {args.n:,} conversations: bare sqlite3 → polars (baseline) vs SqlConversationSource.select",
            [select_round(bench) for _ in range(args.rounds)],
            "whole select",
        )
        report(
            f"(b) settle {len(noop)} × {args.batch_size} no-op outcomes: old settle (baseline) vs SqlSpendGuard.settle",
            [settle_round(bench, noop, ()) for _ in range(args.rounds)],
            f"{len(settled):,} outcomes",
        )
        report(
            f"(c) settle {len(analysed)} × {args.batch_size} analysed outcomes (1 % of durations unknown):"
            " old settle vs SqlSpendGuard.settle",
            [settle_round(bench, analysed, unknown) for _ in range(args.rounds)],
            f"{len(settled):,} outcomes",
        )
        if args.profile:
            for label, guard in (("old settle", BaselineSpendGuard), ("SqlSpendGuard.settle", SqlSpendGuard)):
                for kind, batches in (("no-op", noop), ("analysed", analysed)):
                    reset(bench, unknown=unknown)
                    profile(f"{label}, {kind}", partial(settle_all, guard, bench, batches))
        bench.store.close()
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
