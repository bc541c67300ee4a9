"""`redflare demo`: load real conversations as integration `demo`, and the example workflows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from redflare.cli.common import open_runner
from redflare.cli.progress import for_a_person, progress_bar


def demo_command(
    examples_dir: Annotated[Path, typer.Option(help="Where to write the example workflow files.")] = Path(
        "redflare-examples"
    ),
    datasets: Annotated[Path | None, typer.Option(help="The shared datasets folder (default: found nearby).")] = None,
) -> None:
    """Load the demo conversations and the example workflows."""
    from redflare.services.demo import example_files, load_demo

    with open_runner() as runner, progress_bar("Reading conversation files", unit="files", show=for_a_person()) as bar:
        load_demo(runner.store, runner.clock, datasets=datasets, say=bar.say, on_file=bar.update)
    examples_dir.mkdir(parents=True, exist_ok=True)
    for name, text in example_files().items():
        (examples_dir / name).write_text(text, encoding="utf-8")
        typer.echo(f"Example workflow: {examples_dir / name}")
    typer.echo(f"Try: redflare run {examples_dir / 'nightly-qa-triage.yaml'}")
