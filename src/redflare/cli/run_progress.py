"""`redflare run`'s bar: how many of the run's steps have ended, and how far the step analysing conversations is.

The run is carried out by the runner's backend on its own thread while the command waits; a watcher thread reads
the run's record (as the run page does) twice a second and moves the bar. Only when a bar is drawn: a quiet run
(piped, `--json`) reads nothing more than it did.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from redflare.cli.progress import Bar

if TYPE_CHECKING:
    from redflare.services.execution import Runner

POLL_SECONDS = 0.5


def progress_of(resource: dict[str, Any]) -> tuple[int, int, str]:
    """(steps ended, steps, label) for a run resource: the label names the running steps and, for one analysing
    conversations, how many it has processed of how many."""
    from redflare.domain.runs import STEP_TERMINAL

    steps = resource["steps"]
    ended = sum(1 for step in steps if step["status"] in STEP_TERMINAL)
    running = []
    for step in steps:
        if step["status"] != "running":
            continue
        progress = step.get("progress")
        counted = f" {progress['processed']}/{progress['total']} conversations" if progress else ""
        running.append(f"{step['id']}{counted}")
    label = f"Run {resource['number']}" + (f": {', '.join(running)}" if running else "")
    return ended, len(steps), label


@contextmanager
def watching(runner: Runner, bar: Bar, *, show: bool) -> Iterator[None]:
    """While the body runs, move `bar` with the runs the runner carries out (nothing at all unless `show`)."""
    if not show:
        yield
        return
    from redflare.services.runs import run_resource

    backend = runner.backend  # started here, so the watcher sees the run from its first step
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                for run_id in backend.in_flight:
                    with runner.store.transaction() as session:
                        resource = run_resource(session, run_id)
                    ended, total, label = progress_of(resource)
                    bar.update(ended, total, what=label)
            except Exception:  # a bar is a courtesy: a failed read must never disturb the run
                return

    watcher = threading.Thread(target=watch, name="run-progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
