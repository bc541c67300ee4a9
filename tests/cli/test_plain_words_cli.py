"""The CLI says what is wrong with a workflow file in sentences (P9 item 1): an unknown key is an unknown setting
of its step, a field is named by its title, and each line says where in the file it is."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from redflare.cli import app


def run_file(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    path = tmp_path / "flow.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["run", str(path)])
    return result.exit_code, [line.strip() for line in result.stderr.splitlines()]


def test_an_unknown_key_in_a_step_is_named_as_an_unknown_setting_of_that_step(cli_env: Path, tmp_path: Path) -> None:
    """The run is refused; the line names the key and the step, then the path, with no pydantic words."""
    code, lines = run_file(
        tmp_path,
        "name: Words\n"
        "trigger: {type: manual}\n"
        "steps:\n"
        "  - {id: pick, type: select_conversations, config: {source: {integration: ''}, colour: red}}\n",
    )
    assert code == 2
    assert lines[1:] == [
        "- Step 'pick': Integration in Source must be set.  (steps[0].config.source.integration)",
        "- Unknown setting 'colour' in step 'pick'.  (steps[0].config.colour)",
    ]
    assert not any("Extra inputs" in line or "Field required" in line for line in lines)


def test_an_unknown_key_of_the_workflow_is_named_too(cli_env: Path, tmp_path: Path) -> None:
    code, lines = run_file(tmp_path, "name: Words\nowner: me\ntrigger: {type: manual}\nsteps: []\n")
    assert code == 2
    assert "- Unknown setting 'owner' in the workflow.  (owner)" in lines
