"""Trigger benchmark (issue P4): how soon a Sync Completed event starts its run, over 200 events.

Run from the repository root:  .venv/bin/python bench/triggers.py [--events 200]

Each mode gets a fresh data folder (embedded SQLite) and the whole local backend of `redflare serve`
(`redflare.runtime.local_backend`: store, engine, deliverer, scheduler). A push integration and one live
workflow listening for its Sync Completed (overlap policy "parallel", a single Select Conversations step
taking the sync's conversations). Then, one after another, a batch of one conversation is pushed the way
`POST /api/integrations/{id}/sync` does it (one transaction: sync, conversation, events), and we wait for its
run to complete before the next push. Latency = the run's `started_at` − the Sync Completed event's
`created_at`, both stamped by the product's clock in the store.

- event-driven: the push wakes the scheduler, as the HTTP route does (the product);
- polling only (baseline): the same scheduler, never woken — it finds the event at its next poll
  (`scheduler_poll_s`, 0.25 s by default: already far tighter than the minutes-long polling the issue rules out).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from redflare.adapters.db.orm import Run, SyncEvent, Workflow
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.integrations.push import push_batch
from redflare.runtime import Runtime, local_backend
from redflare.services import drafts, lifecycle
from redflare.services.catalog import create_integration
from redflare.services.users import create_user, principal_of

FLOW = {
    "name": "After each sync",
    "trigger": {"type": "sync_completed", "integration": "bench"},
    "steps": [{"id": "pick", "type": "select_conversations", "after": [], "config": {}}],
}


def _prepare(backend: Runtime) -> int:
    """The integration and the live workflow; answers the integration's id."""
    now = backend.clock.now()
    with backend.store.transaction() as session:
        user, _ = create_user(session, email="bench@example.com", role=Role.ADMIN, password=None, now=now)
        owner = principal_of(user)
        integration, _ = create_integration(session, name="bench", kind="push", config={}, now=now)
        created = drafts.create_workflow(session, principal=owner, data=FLOW, now=now)
        assert not created.issues, created.issues
        row = session.get(Workflow, created.workflow.id)
        assert row is not None
        row.overlap_policy = "parallel"  # each event's run starts at once, whatever the one before is doing
        lifecycle.publish(session, principal=owner, workflow_id=created.workflow.id, now=now)
        return int(integration.id)


def _push(backend: Runtime, integration_id: int, number: int) -> None:
    conversation = {
        "id": f"bench-{number}",
        "channel": "chat",
        "started_at": "2026-03-02T09:15:00Z",
        "agent": "Dana Ito",
        "turns": [{"speaker": "customer", "text": "Hi, I was charged twice.", "offset_s": 0.0}],
    }
    with backend.store.transaction() as session:
        push_batch(session, integration_id=integration_id, items=[conversation], now=backend.clock.now())


def _runs_done(backend: Runtime) -> int:
    with backend.store.read() as session:
        return len(list(session.scalars(select(Run.id).where(Run.status.in_(("completed", "failed"))))))


async def _mode(events: int, wake: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), workers=1, _env_file=None)
        async with local_backend(settings) as backend:
            integration_id = await asyncio.to_thread(_prepare, backend)
            for number in range(events):
                await asyncio.to_thread(_push, backend, integration_id, number)
                if wake:
                    backend.scheduler.wake()
                deadline = time.monotonic() + 30
                while await asyncio.to_thread(_runs_done, backend) < number + 1:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"event {number} started no run within 30 s")
                    await asyncio.sleep(0.005)
            with backend.store.read() as session:
                completed = {
                    e.sync_id: e.created_at
                    for e in session.scalars(select(SyncEvent).where(SyncEvent.type == "sync_completed"))
                }
                started = {r.idempotency_key: r.started_at for r in session.scalars(select(Run))}
    latencies = []
    for sync_id, at in completed.items():
        [run_start] = [s for key, s in started.items() if key and sync_id in key]
        latencies.append((_utc(run_start) - _utc(at)).total_seconds())
    return latencies


def _utc(value: datetime | None) -> datetime:
    assert value is not None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"{name:<22}{len(ordered):>7}{statistics.median(ordered) * 1000:>10.1f}{p99 * 1000:>10.1f}"
        f"{statistics.mean(ordered) * 1000:>10.1f}{ordered[-1] * 1000:>10.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    print(f"{'mode':<22}{'events':>7}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}{'max ms':>10}", flush=True)
    for name, wake in (("event-driven (wake)", True), ("polling only (0.25 s)", False)):
        print(_row(name, asyncio.run(_mode(args.events, wake))), flush=True)


if __name__ == "__main__":
    main()
