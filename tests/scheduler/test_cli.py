"""`redflare scheduler` (cluster mode): on its own store it fires a sync's event and carries the run out, the run
selecting exactly that sync's conversations."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from redflare.adapters.db.orm import Run, StepRun
from redflare.adapters.db.store import Store
from redflare.cli.scheduler import run_scheduler
from redflare.config import Settings
from redflare.services.runs import step_previews
from tests.factories import add_conversations, step
from tests.scheduler.conftest import make_world

BOUND_S = 60.0


def test_runs_what_it_fires_until_stopped(cli_env: Path) -> None:
    """A Sync Completed of three of alpha's five conversations: the scheduler starts the listening workflow's
    run and carries it out; its selection holds exactly those three."""
    settings = Settings()
    store = Store.open(settings)
    try:
        world = make_world(store)
        ids = add_conversations(store, 5, integration="alpha")
        data = {
            "name": "After each sync",
            "trigger": {"type": "sync_completed", "integration": "alpha"},
            "steps": [step("pick", "select_conversations", source="trigger")],
            "settings": {},
        }
        workflow_id = world.publish(data)
        world.sync("alpha", "completed", arrived=ids[1:4])
    finally:
        store.close()

    async def until_done() -> None:
        stop = asyncio.Event()
        scheduling = asyncio.create_task(run_scheduler(settings, stop=stop, clock=world.clock))
        while not await asyncio.to_thread(ended, settings):
            await asyncio.sleep(0.05)
        stop.set()
        await scheduling

    asyncio.run(asyncio.wait_for(until_done(), BOUND_S))
    store = Store.open(settings)
    try:
        with store.read() as session:
            (run,) = session.scalars(select(Run).where(Run.workflow_id == workflow_id))
            pick = session.get(StepRun, (run.id, "pick"))
            assert pick is not None
            assert (run.status, run.trigger_type, pick.rows_out) == ("completed", "sync_completed", 3)
            selected = step_previews(session, run_id=run.id)["pick"]["out"]
            assert sorted(row["id"] for row in selected) == ids[1:4]
    finally:
        store.close()


def ended(settings: Settings) -> bool:
    store = Store.open(settings, migrate_schema=False)
    try:
        with store.read() as session:
            return session.scalar(select(Run.id).where(Run.status.in_(("completed", "failed")))) is not None
    finally:
        store.close()
