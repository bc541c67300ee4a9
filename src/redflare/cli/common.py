"""What every command needs: settings, an open store with the shipped pipelines, an analysis executor.

The command modules import this and typer only at their top: the store, the engine, SQLAlchemy, polars, pyarrow
and the web stack are imported inside the commands that use them, so `redflare --help` (and any command's help)
starts without them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from redflare.config import Settings
    from redflare.domain.errors import Issue
    from redflare.services.execution import Runner


@contextmanager
def open_runner(settings: Settings | None = None) -> Iterator[Runner]:
    from redflare.adapters.db.batches import WORKER_PRELOAD
    from redflare.adapters.db.store import Store
    from redflare.config import Settings
    from redflare.domain.ports import SystemClock
    from redflare.engine.executors import analysis_executor
    from redflare.services.bootstrap import ensure_builtins
    from redflare.services.execution import Runner

    settings = settings or Settings()
    store = Store.open(settings)
    clock = SystemClock()
    ensure_builtins(store, clock)
    executor = analysis_executor(settings.workers, preload=WORKER_PRELOAD)
    try:
        with Runner(store, clock, executor, batch_size=settings.batch_size, settings=settings) as runner:
            yield runner
    finally:
        executor.close()
        store.close()


def print_issues(title: str, issues: list[Issue]) -> None:
    """Each issue as its sentence, said of its step when the sentence does not name it, and where in the file."""
    typer.echo(title, err=True)
    for issue in issues:
        where = f"  ({issue.path})" if issue.path else ""
        typer.echo(f"  - {_of_node(issue)}{issue.message}{where}", err=True)


def _of_node(issue: Issue) -> str:
    if issue.node is None or f"'{issue.node}'" in issue.message or issue.message.startswith(("Trigger", "trigger")):
        return ""
    return "Trigger: " if issue.node == "trigger" else f"Step '{issue.node}': "
