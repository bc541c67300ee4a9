"""The scheduler's loop: passes on its own, at once when woken, hands runs over on the event loop's thread,
and stops when asked."""

from __future__ import annotations

import asyncio
import threading

from redflare.config import Settings
from redflare.scheduler.loop import Scheduler
from tests.scheduler.conftest import World, document

BOUND_S = 20.0  # far below the poll interval: what arrives within it came from wake()


async def arrival(handed: list[str], count: int) -> None:
    while len(handed) < count:
        await asyncio.sleep(0.01)


def test_wake_starts_a_pass_at_once(world: World) -> None:
    """With a poll of a minute, a sync event followed by wake() still has its run handed over at once, on the
    event loop's thread; stop ends the loop."""
    listener = world.publish(document({"type": "sync_completed", "integration": "alpha"}), overlap_policy="parallel")
    handed: list[str] = []
    threads: set[int] = set()

    def submit(run_id: str) -> None:
        threads.add(threading.get_ident())
        handed.append(run_id)

    scheduler = Scheduler(world.store, world.clock, Settings(scheduler_poll_s=60), submit)

    async def scenario() -> None:
        stop = asyncio.Event()
        world.sync("alpha", "completed", arrived=["a"])
        looping = asyncio.create_task(scheduler.run(stop))
        await asyncio.wait_for(arrival(handed, 1), BOUND_S)  # the first pass, at start
        await asyncio.to_thread(world.sync, "alpha", "completed", arrived=["b"])
        await asyncio.to_thread(scheduler.wake)  # from another thread, as the web routes do
        await asyncio.wait_for(arrival(handed, 2), BOUND_S)
        assert threads == {threading.get_ident()}
        stop.set()
        await asyncio.wait_for(looping, BOUND_S)

    asyncio.run(scenario())
    assert handed == [run.id for run in world.runs(listener)]
    assert [run.trigger_payload["conversation_ids"] for run in world.runs(listener)] == [["a"], ["b"]]
