"""`redflare run FILE|WORKFLOW [--json]`: one run now, printed as the run resource (SPEC appendix E)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from redflare.cli.common import open_runner, print_issues
from redflare.cli.progress import for_a_person, progress_bar
from redflare.cli.run_progress import progress_of, watching

EXIT_FAILED = 1
EXIT_REFUSED = 2
EXIT_LIMITED = 3  # completed, but a limit (credits or calls) left conversations unprocessed


def run_command(
    target: Annotated[
        str, typer.Argument(help="A workflow file (.yaml, .yml, .json), or a stored workflow's name or id.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run resource as JSON.")] = False,
    test: Annotated[
        bool, typer.Option("--test", help="A test run: no credits charged, nothing stored as results.")
    ] = False,
) -> None:
    """Run a workflow now and print how every step went.

    Exit code: 0 completed, 1 failed or cancelled, 2 refused (issues, or the call limit), 3 completed but cut short by
    the credits or call limit (conversations left unprocessed).
    """
    from redflare.domain.errors import Conflict, InvalidWorkflow, NotFound
    from redflare.domain.loading import load_data

    path = Path(target)
    show = for_a_person(as_json=as_json)
    with open_runner() as runner, progress_bar("Run", unit="steps", show=show) as bar:
        try:
            with watching(runner, bar, show=show):
                if path.suffix.lower() in (".yaml", ".yml", ".json") or path.exists():
                    # The file's data as it is: the run's checks list every issue at once, a broken trigger's
                    # beside the steps' (checked_document), where parsing it first would name only the trigger's.
                    resource = runner.run_document(load_data(path), test=test)
                else:
                    resource = runner.run_workflow(target, test=test)
            ended, steps, label = progress_of(resource)
            bar.update(ended, steps, what=label)
        except InvalidWorkflow as exc:
            print_issues(f"Refused: {target} has {len(exc.issues)} issue(s); nothing was stored.", exc.issues)
            raise typer.Exit(EXIT_REFUSED) from None
        except (NotFound, Conflict) as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(EXIT_REFUSED) from None
    if as_json:
        typer.echo(json.dumps(resource, indent=2))
    else:
        typer.echo(render(resource))
    if resource["status"] != "completed":
        raise typer.Exit(EXIT_FAILED)
    if resource.get("limit_stop"):
        raise typer.Exit(EXIT_LIMITED)


def render(resource: dict[str, Any]) -> str:
    """A run for people: a headline, then a line per step."""
    runtime = f"{resource['runtime_s']:.2f} s" if resource["runtime_s"] is not None else "-"
    lines = [
        f"Run {resource['number']}: {resource['status']} in {runtime} · {resource['credits']:g} credits · "
        f"{resource['conversations_processed']} conversations processed"
    ]
    width = max((len(step["id"]) for step in resource["steps"]), default=4)
    for step in resource["steps"]:
        ports = step["outputs"]
        outputs = str(ports["out"]) if list(ports) == ["out"] else ", ".join(f"{port} {n}" for port, n in ports.items())
        rows_in = "-" if step["rows_in"] is None else step["rows_in"]
        line = f"  {step['id']:<{width}}  {step['type']:<22} {step['status']:<10} in {rows_in:<7} out {outputs or '-'}"
        if step["credits"]:
            line += f"  {step['credits']:g} credits"
        if step["error"]:
            line += f"\n  {'':<{width}}  error: {step['error']}"
        for export in step.get("exports", []):
            line += f"\n  {'':<{width}}  export {export['name']!r}: {export['file_type']}, {export['rows']} rows, "
            line += f"{export['bytes']:,} bytes"
        for message in step.get("messages", []):
            state = message["status"] if not message["reason"] else f"{message['status']} ({message['reason']})"
            line += f"\n  {'':<{width}}  email {message['subject']!r} to {', '.join(message['to'])}: {state}"
        lines.append(line)
    if resource.get("limit_stop"):
        lines.append(resource["limit_stop"]["message"])
    if resource.get("error"):
        lines.append(f"Error: {resource['error']}")
    return "\n".join(lines)
