"""A workflow file with a broken trigger and broken steps: the commands that check a file (`redflare run FILE`,
`redflare workflows import FILE`) list every issue at once, one sentence a line, exit 2 (refused) and store
nothing, as Final checks do elsewhere; a trigger that does not parse no longer hides the steps' issues."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from redflare.adapters.db.orm import Run, Workflow
from redflare.adapters.db.store import Store
from redflare.cli import app
from redflare.config import Settings

BROKEN = (
    "name: Broken everywhere\n"
    "trigger: {type: schedule, cron: 'not a cron'}\n"
    "steps:\n"
    "  - {id: pick, type: select_conversations, config: {source: {integration: ''}, colour: red}}\n"
    "  - {id: analyse, type: process_conversations, after: [pikc], config: {pipeline: default-qa}}\n"
)


def stored() -> tuple[int, int]:
    store = Store.open(Settings())
    try:
        with store.read() as session:
            return (
                int(session.scalar(select(func.count()).select_from(Workflow)) or 0),
                int(session.scalar(select(func.count()).select_from(Run)) or 0),
            )
    finally:
        store.close()


@pytest.mark.parametrize("command", [["run"], ["workflows", "import"]], ids=["run", "workflows-import"])
def test_a_broken_trigger_and_broken_steps_are_listed_at_once(
    cli_env: Path, tmp_path: Path, command: list[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    result = CliRunner().invoke(app, [*command, str(path)])
    assert result.exit_code == 2, result.output
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert lines[0] == f"Refused: {path} has 4 issue(s); nothing was stored."
    issues = lines[1:]
    assert len(issues) == 4, issues
    # One sentence a line, each with where in the file it is: the trigger's first, then the steps'.
    assert issues == [
        "- Trigger: 'not a cron' is not a cron expression of five fields: minute hour day-of-month month weekday"
        "  (trigger.cron)",
        "- Step 'pick': Integration in Source must be set.  (steps[0].config.source.integration)",
        "- Unknown setting 'colour' in step 'pick'.  (steps[0].config.colour)",
        "- Step 'analyse': unknown upstream step 'pikc'  (steps[1].after[0])",
    ]
    assert stored() == (0, 0)
