"""Stopping the server does not wait on a run that cannot end: a run whose alert keeps being refused (SMTP down)
is cut off after the grace period, and the next start fails it as interrupted, to be re-run from its failed step."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from redflare.adapters.db.orm import OutboxMessage, Run, StepRun
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.runtime import local_backend
from redflare.services.recovery import INTERRUPTED
from redflare.services.run_start import start_run
from redflare.services.workflows import checked_document, save_draft_by_name
from tests.engine.test_delivery_run import alert_flow
from tests.factories import T0, add_conversations
from tests.smtp_servers import down_then_up

GUARD_S = 60  # turns a shutdown that hangs into a failure; not a measure of speed


def _retrying(store: Store) -> bool:
    with store.read() as session:
        message = session.scalar(select(OutboxMessage))
        step_status = session.scalar(select(StepRun.status).where(StepRun.step_id == "tell"))
    return message is not None and message.attempts >= 2 and step_status == "running"


def test_a_run_waiting_on_a_down_smtp_server_does_not_hold_up_stopping(cli_env: Path) -> None:
    with down_then_up() as smtp:
        # Retries back off exponentially (0.05 s doubling, up to 50): hours of them. Only the grace period ends this.
        settings = Settings(**smtp.settings(smtp_backoff_s=0.05, smtp_max_attempts=50), shutdown_grace_s=0.2)

        async def run_until_stopped() -> str:
            async with local_backend(settings, recover=True) as runtime:
                add_conversations(runtime.store, 2)
                with runtime.store.transaction() as session:
                    document = checked_document(session, alert_flow("Stuck alert"))
                    stored = save_draft_by_name(session, document, now=T0)
                    run_id = start_run(session, workflow_id=stored.id, document=document, version=None, now=T0).id
                runtime.backend.submit(run_id)
                while not _retrying(runtime.store):
                    await asyncio.sleep(0.02)
            return run_id

        run_id = asyncio.run(asyncio.wait_for(run_until_stopped(), timeout=GUARD_S))

        store = Store.open(settings)
        try:
            with store.read() as session:
                assert session.scalar(select(Run.status).where(Run.id == run_id)) == "running"  # cut off, not ended

            async def start_again() -> None:
                async with local_backend(settings, recover=True):
                    pass

            asyncio.run(asyncio.wait_for(start_again(), timeout=GUARD_S))
            with store.read() as session:
                run = session.scalar(select(Run).where(Run.id == run_id))
                tell = session.scalar(select(StepRun).where(StepRun.run_id == run_id, StepRun.step_id == "tell"))
            assert run is not None
            assert tell is not None
            assert (run.status, run.error) == ("failed", INTERRUPTED)
            assert (tell.status, tell.error) == ("failed", INTERRUPTED)
        finally:
            store.close()
