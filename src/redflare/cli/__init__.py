"""The `redflare` command line (SPEC appendix C).

Quick to start: the command modules import only typer and light helpers at their top (see `common`), and help is
plain text (`rich_markup_mode=None`: typer's rich help imports rich's Markdown and Pygments, a fifth of a second).
A test holds `redflare --help` to importing none of the heavy modules.
"""

from __future__ import annotations

import typer

from redflare.cli.demo import demo_command
from redflare.cli.imports import import_command
from redflare.cli.run import run_command
from redflare.cli.runs import runs_app
from redflare.cli.scheduler import scheduler_command
from redflare.cli.serve import serve_command
from redflare.cli.users import tokens_app, users_app
from redflare.cli.workflows import workflows_app

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="RedFlare Workflows: automate how contact-centre conversations are processed and acted on.",
)
app.command("demo")(demo_command)
app.command("run")(run_command)
app.command("import")(import_command)
app.add_typer(workflows_app, name="workflows")
app.add_typer(runs_app, name="runs")
app.command("serve")(serve_command)
app.command("scheduler")(scheduler_command)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")


def main() -> None:
    app(prog_name="redflare")  # also under `python -m redflare`
