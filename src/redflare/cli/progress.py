"""Progress bars for the long commands (import, run, demo): drawn for a person at a terminal, never for a script.

A bar is drawn on standard error only when it is a terminal and the command was not asked for `--json`: piped,
redirected or with `--json`, nothing but the command's own output is written (no bar frames in logs or in what a
script parses). rich, which draws the bars, is imported only when one is drawn, so a quiet command pays nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

import typer

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


def for_a_person(*, as_json: bool = False) -> bool:
    """Whether to draw bars: standard error is a terminal (not a dumb one) and no JSON was asked for."""
    return not as_json and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


class Bar(Protocol):
    """How far a long job has got; every method is a no-op when no bar is drawn."""

    def update(self, done: int, total: int | None, *, what: str | None = None) -> None:
        """`done` of `total` (None: not known yet); `what` replaces the bar's label."""

    def say(self, line: str) -> None:
        """Print a line of the command's output above the bar; the next update starts a fresh bar."""


class _Quiet:
    def update(self, done: int, total: int | None, *, what: str | None = None) -> None:
        return None

    def say(self, line: str) -> None:
        typer.echo(line)


class _Drawn:
    def __init__(self, progress: Progress, label: str, unit: str) -> None:
        self._progress = progress
        self._label = label
        self._unit = unit
        self._task: TaskID | None = None

    def update(self, done: int, total: int | None, *, what: str | None = None) -> None:
        if self._task is None:
            self._task = self._progress.add_task(what or self._label, total=total, unit=self._unit)
        self._progress.update(self._task, completed=done, total=total, description=what or self._label)

    def say(self, line: str) -> None:
        if sys.stdout.isatty():  # the bar's terminal too: printed through the bar's console, above the bar
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:  # piped while the bar is on the terminal: the line goes where the command's output goes
            typer.echo(line)
        self._task = None  # what follows is another piece of work: its own bar


@contextmanager
def progress_bar(label: str, *, unit: str, show: bool) -> Iterator[Bar]:
    """A bar labelled `label` counting `unit` (e.g. "files"), drawn only when `show` (see `for_a_person`)."""
    if not show:
        yield _Quiet()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), redirect_stdout=False, redirect_stderr=False) as progress:
        yield _Drawn(progress, label, unit)
