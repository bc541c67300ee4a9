"""`redflare demo`: load real conversations as integration `demo`, and the example workflows."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from redflare.cli.common import open_runner
from redflare.domain.loading import document_from_data, parse_text
from redflare.importing.sample import packaged_demo_files, shared_datasets_dir
from redflare.services.imports import import_path
from redflare.services.workflows import save_draft_by_name

DEMO_INTEGRATION = "demo"
# From the shared datasets, when present: the STAR chats and the Harper Valley Bank calls.
SHARED_SOURCES = ("star", "harper_valley_bank")


def demo_command(
    examples_dir: Annotated[Path, typer.Option(help="Where to write the example workflow files.")] = Path(
        "redflare-examples"
    ),
    datasets: Annotated[Path | None, typer.Option(help="The shared datasets folder (default: found nearby).")] = None,
) -> None:
    """Load the demo conversations and the example workflows."""
    root = datasets or shared_datasets_dir()
    sources = [root / name for name in SHARED_SOURCES if (root / name).exists()] if root else []
    if not sources:
        sources = packaged_demo_files()
    with open_runner() as runner:
        for source in sources:
            # Real data has real gaps (e.g. STAR dialogues abandoned before anyone spoke): skip and say so.
            report = import_path(runner.store, source, integration=DEMO_INTEGRATION, skip_bad=True)
            skipped = f", {len(report.bad_rows)} skipped as unusable" if report.bad_rows else ""
            typer.echo(f"Imported {source}: {report.inserted} new, {report.updated} updated conversations{skipped}.")
        examples_dir.mkdir(parents=True, exist_ok=True)
        with runner.store.transaction() as session:
            for example in sorted(files("redflare.examples").iterdir(), key=lambda p: p.name):
                if not example.name.endswith(".yaml"):
                    continue
                text = example.read_text(encoding="utf-8")
                target = examples_dir / example.name
                target.write_text(text, encoding="utf-8")
                document = document_from_data(parse_text(text, source=example.name))
                save_draft_by_name(session, document, now=runner.clock.now())
                typer.echo(f"Example workflow: {target}")
    typer.echo(f"Try: redflare run {examples_dir / 'nightly-qa-triage.yaml'}")
