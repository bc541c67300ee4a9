"""`redflare runs list|show|cancel`: follow and stop runs from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from redflare.cli.common import open_runner
from redflare.cli.run import render
from redflare.cli.tables import credits_text, table, time_text

runs_app = typer.Typer(no_args_is_help=True, help="List, show and cancel runs.")


@runs_app.command("list")
def list_command(workflow: Annotated[str, typer.Argument(help="Workflow name or id.")]) -> None:
    """A workflow's runs, newest first.

    A table of each run's number, id, status, start time (UTC) and credits used."""
    from sqlalchemy import select

    from redflare.adapters.db.orm import Run
    from redflare.domain.errors import NotFound
    from redflare.services.workflows import find_workflow

    with open_runner() as runner, runner.store.transaction() as session:
        try:
            found = find_workflow(session, workflow)
        except NotFound as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
        runs = session.scalars(select(Run).where(Run.workflow_id == found.id).order_by(Run.number.desc())).all()
        rows = [
            (str(run.number), run.id, run.status, time_text(run.started_at), credits_text(run.credits)) for run in runs
        ]
    if not rows:
        typer.echo("No Runs yet")
        return
    typer.echo(table(("Run", "Id", "Status", "Started", "Credits used"), rows, right=(0, 4)))


@runs_app.command("show")
def show_command(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run resource as JSON.")] = False,
) -> None:
    """One run with every step's status, counts, credits and error."""
    from redflare.domain.errors import NotFound
    from redflare.services.runs import run_resource

    with open_runner() as runner, runner.store.transaction() as session:
        try:
            resource = run_resource(session, run_id)
        except NotFound as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
    typer.echo(json.dumps(resource, indent=2) if as_json else render(resource))


@runs_app.command("cancel")
def cancel_command(run_id: Annotated[str, typer.Argument(help="Run id.")]) -> None:
    """Cancel a queued or running run.

    Once this returns, the run starts no more batches and spends no more credits."""
    from redflare.domain.errors import IllegalTransition, NotFound
    from redflare.services.runs import cancel_run

    with open_runner() as runner:
        try:
            with runner.store.transaction() as session:
                cancel_run(session, run_id, now=runner.clock.now())
        except (NotFound, IllegalTransition) as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
    typer.echo(f"Cancelled run {run_id}.")
