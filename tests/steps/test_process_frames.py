"""Process Conversations turns its fresh results into frames as it goes: the output is the same however many."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import text

from redflare.adapters.db.store import Store
from redflare.sets.stored import read_stored
from redflare.steps import process_conversations
from tests.factories import PROCESS, SELECT_DEMO, add_conversations, make_runner, step, workflow


def output(store: Store, run_id: str) -> pl.DataFrame:
    query = text("SELECT path, data FROM artifacts WHERE run_id = :run AND step_id = 'analyse'")
    with store.engine.connect() as connection:
        path, data = connection.execute(query, {"run": run_id}).one()
    return read_stored(path, data).sort("id")


def test_results_framed_every_few_rows_are_the_results_framed_once(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_conversations(store, 11)
    runner = make_runner(store, batch_size=3)
    monkeypatch.setattr(process_conversations, "FRAME_ROWS", 2)
    framed = runner.run_document(workflow(SELECT_DEMO, PROCESS))
    monkeypatch.setattr(process_conversations, "FRAME_ROWS", 10_000)
    again = step("analyse", "process_conversations", ["pick"], pipeline="default-qa", reprocess=True)
    whole = runner.run_document(workflow(SELECT_DEMO, again))
    assert output(store, framed["id"]).height == 11
    assert_frame_equal(output(store, framed["id"]), output(store, whole["id"]))
