"""Fixtures for the scheduler: a store with the shipped pipelines, a hand-stepped clock, a workflow owner with
narrow data-access rules, and helpers that publish workflows and write sync events the way the product does."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import Firing, Integration, Run, SyncEvent, User, Workflow
from redflare.adapters.db.store import Store
from redflare.adapters.db.sync_events import emit_event
from redflare.config import Settings
from redflare.domain.access import AccessRules, Role
from redflare.domain.ports import FixedClock
from redflare.scheduler.loop import Scheduler
from redflare.services import drafts, lifecycle, syncs
from redflare.services.bootstrap import ensure_builtins
from redflare.services.users import Principal, principal_of
from tests.factories import step

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
SELECT_ALL = step("pick", "select_conversations", source="all")
OWNER_RULES = AccessRules(integrations=frozenset({"alpha"}))


def document(trigger: dict[str, Any], *, name: str = "Flow", limit: int | None = None) -> dict[str, Any]:
    pick = {**SELECT_ALL, "config": {**SELECT_ALL["config"], **({"limit": limit} if limit else {})}}
    return {"name": name, "trigger": trigger, "steps": [pick], "settings": {}}


def schedule(**form: Any) -> dict[str, Any]:
    return {"type": "schedule", **form}


@dataclass
class World:
    """The store, the clock and the owner, with the product's own ways of changing them."""

    store: Store
    clock: FixedClock
    owner: Principal
    submitted: list[str] = field(default_factory=list)

    def scheduler(self, **settings: Any) -> Scheduler:
        """A scheduler whose `submit` collects the runs it hands over."""
        return Scheduler(self.store, self.clock, Settings(**settings), self.submitted.append)

    def at(self, moment: datetime) -> None:
        self.clock.advance((moment - self.clock.now()).total_seconds())

    def publish(self, data: dict[str, Any], **columns: Any) -> str:
        """A new workflow from `data`, published now (version 1, live); `columns` set on its row (overlap_policy…)."""
        with self.store.transaction() as session:
            created = drafts.create_workflow(session, principal=self.owner, data=data, now=self.clock.now())
            assert created.issues == [], created.issues
            workflow_id = created.workflow.id
            lifecycle.publish(session, principal=self.owner, workflow_id=workflow_id, now=self.clock.now())
        if columns:
            self.set(workflow_id, **columns)
        return workflow_id

    def draft(self, data: dict[str, Any]) -> str:
        with self.store.transaction() as session:
            return drafts.create_workflow(session, principal=self.owner, data=data, now=self.clock.now()).workflow.id

    def set(self, workflow_id: str, **columns: Any) -> None:
        with self.store.transaction() as session:
            workflow = session.get(Workflow, workflow_id)
            assert workflow is not None
            for name, value in columns.items():
                setattr(workflow, name, value)

    def act(self, action: Callable[..., Any], workflow_id: str, **kwargs: Any) -> None:
        """Pause, resume, publish or set-active as the owner, now."""
        with self.store.transaction() as session:
            action(session, principal=self.owner, workflow_id=workflow_id, now=self.clock.now(), **kwargs)

    def integration(self, name: str) -> int:
        with self.store.transaction() as session:
            found = session.scalar(select(Integration).where(Integration.name == name))
            if found is None:
                found = Integration(name=name, kind="push", config={}, created_at=self.clock.now())
                session.add(found)
                session.flush()
            return found.id

    def sync(self, integration: str, outcome: str, *, arrived: list[str] | None = None) -> str:
        """One sync of `integration` as a pushed batch makes it (started and ended now, with its events); answers
        its id. `outcome` is "completed", "failed", or "running" (only Sync Started so far)."""
        integration_id = self.integration(integration)
        now = self.clock.now()
        with self.store.transaction() as session:
            sync = syncs.start_sync(session, integration_id=integration_id, now=now)
            if arrived:
                counts = {"received": len(arrived), "imported": len(arrived)}
                syncs.record_arrivals(
                    session, sync_id=sync.id, counts=counts, arrived=arrived, integration_id=integration_id
                )
            if outcome == "completed":
                syncs.complete_sync(session, sync_id=sync.id, integration_id=integration_id, now=now)
            elif outcome == "failed":
                syncs.fail_sync(session, sync_id=sync.id, integration_id=integration_id, error="bad file", now=now)
            return sync.id

    def repeat_event(self, sync_id: str, event_type: str) -> None:
        """The same event delivered again (a second event row with the same sync and type)."""
        with self.store.transaction() as session:
            first = session.scalars(
                select(SyncEvent).where(SyncEvent.sync_id == sync_id, SyncEvent.type == event_type)
            ).first()
            assert first is not None
            emit_event(
                session,
                type=event_type,
                integration_id=first.integration_id,
                sync_id=sync_id,
                payload=dict(first.payload),
                now=self.clock.now(),
            )

    def runs(self, workflow_id: str | None = None) -> list[Run]:
        with self.store.read() as session:
            query = select(Run).order_by(Run.created_at, Run.number)
            if workflow_id is not None:
                query = query.where(Run.workflow_id == workflow_id)
            return list(session.scalars(query))

    def firings(self, workflow_id: str) -> list[Firing]:
        with self.store.read() as session:
            return list(session.scalars(select(Firing).where(Firing.workflow_id == workflow_id).order_by(Firing.id)))


@pytest.fixture(autouse=True)
def no_scheduler_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The scheduler logs and swallows errors to carry on; here any such error fails the test (a test expecting
    one asserts it and clears the log)."""
    yield
    errors = [r for r in caplog.get_records("call") if r.name.startswith("redflare") and r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


@pytest.fixture
def world(store: Store) -> World:
    return make_world(store)


def make_world(store: Store) -> World:
    """A world on `store`: the shipped pipelines, the clock at T0, the owner (who may see "alpha" only), and
    the integrations "alpha" and "beta"."""
    clock = FixedClock(T0)
    ensure_builtins(store, clock)
    with store.transaction() as session:
        user = User(
            id=uuid.uuid4().hex,
            email="owner@example.com",
            password_hash=None,
            role=Role.EDITOR.value,
            integrations=["alpha"],
            teams=None,
            agents=None,
            disabled=False,
            created_at=T0,
        )
        session.add(user)
        session.flush()
        owner = principal_of(user)
    world = World(store, clock, owner)
    for name in ("alpha", "beta"):
        world.integration(name)
    return world
