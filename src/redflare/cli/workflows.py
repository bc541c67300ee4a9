"""`redflare workflows list|export|import`: workflow documents in and out of the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from redflare.cli.common import open_runner, print_issues
from redflare.cli.tables import table, time_text

workflows_app = typer.Typer(no_args_is_help=True, help="List, export and import workflows.")


@workflows_app.command("list")
def list_command() -> None:
    """Every workflow with its status and last run."""
    from sqlalchemy import func, select

    from redflare.adapters.db.orm import Run, Workflow

    with open_runner() as runner, runner.store.transaction() as session:
        last_run = select(Run.workflow_id, func.max(Run.created_at).label("last")).group_by(Run.workflow_id).subquery()
        rows = session.execute(
            select(Workflow.id, Workflow.name, Workflow.status, last_run.c.last)
            .outerjoin(last_run, last_run.c.workflow_id == Workflow.id)
            .order_by(Workflow.name)
        ).all()
    if not rows:
        typer.echo("No workflows yet")
        return
    shown = [
        (name, status, time_text(last) if last else "never", workflow_id) for workflow_id, name, status, last in rows
    ]
    typer.echo(table(("Name", "Status", "Last run", "Id"), shown))


@workflows_app.command("export")
def export_command(
    workflow: Annotated[str, typer.Argument(help="Name or id.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of YAML.")] = False,
) -> None:
    """Print a workflow's draft as a workflow file.

    YAML (JSON with --json), as `redflare workflows import` and `redflare run` read it."""
    import yaml

    from redflare.domain.errors import NotFound
    from redflare.services.workflows import find_workflow

    with open_runner() as runner, runner.store.transaction() as session:
        try:
            draft = find_workflow(session, workflow).draft
        except NotFound as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2) from None
    typer.echo(json.dumps(draft, indent=2) if as_json else yaml.safe_dump(draft, sort_keys=False, allow_unicode=True))


@workflows_app.command("import")
def import_command(path: Annotated[Path, typer.Argument(help="A workflow file (.yaml, .yml, .json).")]) -> None:
    """Store a workflow file as a draft (refused, storing nothing, if it has issues)."""
    from redflare.domain.errors import InvalidWorkflow
    from redflare.domain.loading import load_data
    from redflare.services.workflows import checked_document, save_draft_by_name

    with open_runner() as runner:
        try:
            data = load_data(path)  # checked whole below: every issue at once, a broken trigger's and the steps'
            with runner.store.transaction() as session:
                document = checked_document(session, data)
                stored = save_draft_by_name(session, document, now=runner.clock.now())
        except InvalidWorkflow as exc:
            print_issues(f"Refused: {path} has {len(exc.issues)} issue(s); nothing was stored.", exc.issues)
            raise typer.Exit(2) from None
    typer.echo(f"Stored draft {stored.id}: {stored.name}")
