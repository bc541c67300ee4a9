"""The demo: conversations always, the example workflows unless asked not to (REDFLARE_DEMO_WORKFLOWS=0)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from redflare.adapters.db.orm import Conversation, Workflow
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.ports import FixedClock
from redflare.services.demo import example_files, load_demo
from tests.factories import T0


def counts(store: Store) -> tuple[int, list[str]]:
    with store.read() as session:
        conversations = session.scalar(select(func.count()).select_from(Conversation)) or 0
        return int(conversations), sorted(session.scalars(select(Workflow.name)))


@pytest.mark.parametrize("workflows", [True, False])
def test_the_examples_come_with_the_demo_unless_turned_off(store: Store, tmp_path: Path, workflows: bool) -> None:
    """With no shared datasets the packaged sample is imported; the examples are stored only when asked."""
    load_demo(store, FixedClock(T0), datasets=tmp_path / "no-datasets", say=lambda _: None, workflows=workflows)
    conversations, names = counts(store)
    assert conversations > 0
    assert len(names) == (len(example_files()) if workflows else 0)


def test_the_setting_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().demo_workflows is True
    monkeypatch.setenv("REDFLARE_DEMO_WORKFLOWS", "0")
    assert Settings().demo_workflows is False
