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


def as_set(workflow: Workflow) -> tuple[object, ...]:
    """What a user sets on a workflow, as a value to compare."""
    w = workflow
    return (w.name, w.credits_limit, w.call_limit, w.status, w.draft, w.updated_at)


def test_the_demo_again_changes_nothing_a_user_set(store: Store, tmp_path: Path) -> None:
    """Issue P8: a second `redflare demo` reset an example's limits (20 → 5000 credits) with no audit entry. Now it
    only adds what is missing: an example the user changed, or deleted and re-made, stays as the user left it."""
    quiet = {"datasets": tmp_path / "no-datasets", "say": lambda _: None}
    load_demo(store, FixedClock(T0), **quiet)
    with store.transaction() as session:
        edited = session.scalars(select(Workflow).order_by(Workflow.name)).first()
        assert edited is not None
        edited.credits_limit, edited.call_limit, edited.status = 20, 100, "paused"
        edited.draft = {**edited.draft, "steps": edited.draft["steps"][:1]}
        before = as_set(edited)
        removed = session.scalars(select(Workflow).order_by(Workflow.name.desc())).first()
        assert removed is not None
        assert removed.id != edited.id
        session.delete(removed)
        gone = removed.name
    load_demo(store, FixedClock(T0), **quiet)
    with store.read() as session:
        again = session.scalar(select(Workflow).where(Workflow.name == before[0]))
        assert again is not None
        assert (
            again.name,
            again.credits_limit,
            again.call_limit,
            again.status,
            again.draft,
            again.updated_at,
        ) == before
        assert session.scalar(select(func.count()).select_from(Workflow).where(Workflow.name == gone)) == 1
    assert len(counts(store)[1]) == len(example_files())
