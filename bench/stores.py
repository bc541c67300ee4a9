"""Benchmark stores: one pristine SQLite store per N, prepared once, and a fresh copy of it for every run.

Contract:
- `prepare(folder, n)` makes a data folder `folder/pristine` the way `redflare serve` lays one out
  (`redflare.db`, `artifacts/`): migrated, the built-in pipelines and the `noop` pipeline stored,
  and `n` synthetic conversations (`bench.synthetic`, seeded) loaded in chunks of `LOAD_CHUNK`; and
  `folder/conversations.pickle`, the same conversations for the baseline's in-memory pool. Generating
  and loading are reported (`Prepared.generate_s`, `.load_s`), never part of a timed run.
- `fresh_copy(prepared, into)` copies the pristine database into a new data folder (SQLite's backup
  API, so nothing of a write-ahead log is lost) with an empty artifacts folder: every engine run starts
  where the baseline starts, nothing analysed yet, and a run never sees another run's results.
- `load_conversations(prepared)` reads the baseline's conversations back (a list; the caller drops it
  before an engine run, so the engine's process never carries them).
"""

from __future__ import annotations

import pickle
import sqlite3
import time
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from bench.measure import DB_FILE, open_store
from bench.synthetic import INTEGRATION, iter_conversations
from bench.workflows import NOOP
from redflare.adapters.db.conversations import ensure_integration, upsert_conversations
from redflare.adapters.db.pipelines import save_pipeline
from redflare.domain.conversation import Conversation
from redflare.domain.ports import SystemClock
from redflare.services.bootstrap import ensure_builtins

LOAD_CHUNK = 10_000


@dataclass(frozen=True)
class Prepared:
    n: int
    data_dir: Path  # the pristine data folder: never run against, only copied
    conversations: Path  # the same conversations, pickled in chunks
    generate_s: float
    load_s: float

    @property
    def database(self) -> Path:
        return self.data_dir / DB_FILE


def prepare(folder: Path, n: int) -> Prepared:
    """A pristine store of `n` conversations under `folder`, and their pickle for the baseline."""
    data_dir = folder / "pristine"
    store = open_store(data_dir)
    clock = SystemClock()
    try:
        ensure_builtins(store, clock)
        with store.transaction() as session:
            save_pipeline(session, NOOP, now=clock.now())
            integration_id = ensure_integration(session, name=INTEGRATION).id
        generate_s = load_s = 0.0
        stream = iter_conversations(n)
        pickled = folder / "conversations.pickle"
        with pickled.open("wb") as out:
            while True:  # in chunks, so the whole list never sits in memory here
                started = time.perf_counter()
                chunk = list(islice(stream, LOAD_CHUNK))
                generate_s += time.perf_counter() - started
                if not chunk:
                    break
                pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
                started = time.perf_counter()
                with store.transaction() as session:
                    upsert_conversations(session, integration_id=integration_id, conversations=chunk, now=clock.now())
                load_s += time.perf_counter() - started
    finally:
        store.close()
    return Prepared(n=n, data_dir=data_dir, conversations=pickled, generate_s=generate_s, load_s=load_s)


def fresh_copy(prepared: Prepared, into: Path) -> Path:
    """A new data folder `into` holding a copy of the pristine store; returns it."""
    (into / "artifacts").mkdir(parents=True)
    source = sqlite3.connect(prepared.database)
    target = sqlite3.connect(into / DB_FILE)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return into


def load_conversations(prepared: Prepared) -> list[Conversation]:
    """The pristine store's conversations, as generated, for the baseline."""
    items: list[Conversation] = []
    with prepared.conversations.open("rb") as stream:
        while True:
            try:
                items.extend(pickle.load(stream))
            except EOFError:
                return items
