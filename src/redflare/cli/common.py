"""What every command needs: settings, an open store with the shipped pipelines, an analysis executor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from redflare.adapters.db.batches import WORKER_PRELOAD
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.errors import Issue
from redflare.domain.ports import SystemClock
from redflare.engine.executors import analysis_executor
from redflare.services.bootstrap import ensure_builtins
from redflare.services.execution import Runner


@contextmanager
def open_runner(settings: Settings | None = None) -> Iterator[Runner]:
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
    typer.echo(title, err=True)
    for issue in issues:
        node = f" [{issue.node}]" if issue.node else ""
        typer.echo(f"  {issue.path or '(document)'}{node}: {issue.message}", err=True)
