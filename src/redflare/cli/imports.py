"""`redflare import PATH --integration NAME`: load conversations from files or a dataset folder.

Prints a summary, every bad row as `file:line: reason`, and exits 1 when the import was refused
(bad rows without --skip-bad, or unusable arguments): then nothing was stored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from redflare.cli.progress import for_a_person, progress_bar
from redflare.importing.datasets import DATASET_FORMATS

if TYPE_CHECKING:
    from redflare.services.imports import ImportReport

EXIT_REFUSED = 1


def import_command(
    path: Annotated[Path, typer.Argument(help="A .json, .jsonl or .csv file, or a folder of them (or a dataset).")],
    integration: Annotated[
        str, typer.Option("--integration", "-i", help="The integration the conversations belong to (made if new).")
    ],
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="How to read PATH: auto (tells a known dataset from conversation files), native (conversation files "
            f"as the guide describes them), or a dataset: {', '.join(DATASET_FORMATS)}.",
        ),
    ] = "auto",
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Store the good conversations and report the bad rows.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the import report as JSON.")] = False,
) -> None:
    """Import conversations into an integration.

    PATH is a JSON, JSONL or CSV file of conversations, a folder of them (with any audio files they name), or a
    known dataset's folder."""
    from redflare.adapters.db.store import Store
    from redflare.config import Settings
    from redflare.domain.errors import InvalidInput
    from redflare.services.imports import ImportRefused, import_path

    store = Store.open(Settings())
    try:
        with progress_bar("Reading conversation files", unit="files", show=for_a_person(as_json=as_json)) as bar:
            report = import_path(
                store, path, integration=integration, format=format, skip_bad=skip_bad, on_file=bar.update
            )
    except ImportRefused as exc:
        _print(exc.report, as_json, refused=str(exc))
        raise typer.Exit(EXIT_REFUSED) from None
    except InvalidInput as exc:
        if as_json:
            issues = [{"where": i.path, "reason": i.message} for i in exc.issues]
            typer.echo(json.dumps({"stored": False, "error": str(exc), "issues": issues}, indent=2))
        else:
            typer.echo(f"Refused: {exc}", err=True)
            for issue in exc.issues:
                typer.echo(f"  {issue}", err=True)
        raise typer.Exit(EXIT_REFUSED) from None
    finally:
        store.close()
    _print(report, as_json)


def _print(report: ImportReport, as_json: bool, *, refused: str | None = None) -> None:
    if as_json:
        data = report.to_dict()
        if refused:
            data["error"] = refused
        typer.echo(json.dumps(data, indent=2))
        return
    if refused:
        typer.echo(f"Refused: {refused}. Fix the rows below, or use --skip-bad to store the rest.", err=True)
    else:
        typer.echo(
            f"Imported into {report.integration}: {report.inserted} new, {report.updated} updated "
            f"({report.records_read} records from {report.files_read} file(s), {', '.join(report.formats)})."
        )
    if report.duplicates:
        typer.echo(f"{report.duplicates} repeated conversation(s) counted once.")
    for note in report.notes:
        typer.echo(f"note: {note}")
    if report.bad_rows:
        if not refused:
            typer.echo(f"Skipped {len(report.bad_rows)} bad row(s):", err=True)
        for issue in report.bad_rows:
            typer.echo(f"{issue.path}: {issue.message}", err=True)
