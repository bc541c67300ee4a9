"""`redflare runs list|show|cancel`: follow and stop runs from the command line."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import select

from redflare.adapters.db.orm import Run
from redflare.cli.common import open_runner
from redflare.cli.run import render
from redflare.domain.errors import IllegalTransition, NotFound
from redflare.services.runs import cancel_run, run_resource
from redflare.services.workflows import find_workflow

runs_app = typer.Typer(no_args_is_help=True, help="List, show and cancel runs.")


@runs_app.command("list")
def list_command(workflow: Annotated[str, typer.Argument(help="Workflow name or id.")]) -> None:
    """A workflow's runs, newest first."""
    with open_runner() as runner, runner.store.transaction() as session:
        try:
            found = find_workflow(session, workflow)
        except NotFound as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
        runs = session.scalars(select(Run).where(Run.workflow_id == found.id).order_by(Run.number.desc())).all()
        if not runs:
            typer.echo("No Runs yet")
        for run in runs:
            started = run.started_at.isoformat() if run.started_at else "-"
            typer.echo(f"{run.number:>5}  {run.id}  {run.status:<10} {started:<32} {run.credits:>10} credits")


@runs_app.command("show")
def show_command(
    run_id: Annotated[str, typer.Argument(help="Run id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run resource as JSON.")] = False,
) -> None:
    """One run with every step's status, counts, credits and error."""
    with open_runner() as runner, runner.store.transaction() as session:
        try:
            resource = run_resource(session, run_id)
        except NotFound as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
    typer.echo(json.dumps(resource, indent=2) if as_json else render(resource))


@runs_app.command("cancel")
def cancel_command(run_id: Annotated[str, typer.Argument(help="Run id.")]) -> None:
    """Cancel a queued or running run: once this returns, it starts no batch and spends nothing more."""
    with open_runner() as runner:
        try:
            with runner.store.transaction() as session:
                cancel_run(session, run_id, now=runner.clock.now())
        except (NotFound, IllegalTransition) as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
    typer.echo(f"Cancelled run {run_id}.")
