"""`redflare demo` and `redflare run`: the first thing a new user types, end to end through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from redflare.adapters.db.orm import AnalysisResult, Conversation, Run, Workflow
from redflare.adapters.db.store import Store
from redflare.cli import app
from redflare.config import Settings


def counts() -> dict[str, int]:
    store = Store.open(Settings())
    try:
        with store.transaction() as session:
            return {
                model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Conversation, Workflow, Run, AnalysisResult)
            }
    finally:
        store.close()


@pytest.fixture
def demo(cli_env: Path, tmp_path: Path) -> Path:
    """The demo loaded from the sample shipped inside the package (as when installed without shared/)."""
    examples = tmp_path / "examples"
    result = CliRunner().invoke(app, ["demo", "--examples-dir", str(examples), "--datasets", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    return examples


class TestDemoThenRun:
    def test_demo_loads_conversations_and_examples(self, demo: Path) -> None:
        """The demo stores real conversations and writes the example workflows."""
        assert (demo / "nightly-qa-triage.yaml").exists()
        stored = counts()
        assert stored["conversations"] > 100
        assert stored["workflows"] == len(list(demo.glob("*.yaml")))

    def test_run_prints_a_completed_run_as_json(self, demo: Path) -> None:
        """`redflare run FILE --json` prints the run resource with every step completed and real analysis."""
        result = CliRunner().invoke(app, ["run", str(demo / "nightly-qa-triage.yaml"), "--json"])
        assert result.exit_code == 0, result.output
        run = json.loads(result.stdout)
        assert run["status"] == "completed"
        steps = {step["id"]: step for step in run["steps"]}
        assert all(step["status"] == "completed" for step in steps.values())
        assert steps["analyse"]["rows_out"] == steps["pick"]["rows_out"] > 0
        assert sum(steps["split"]["outputs"].values()) == steps["analyse"]["rows_out"]
        assert steps["analyse"]["credits"] > 0
        assert run["credits"] == pytest.approx(steps["analyse"]["credits"])
        store = Store.open(Settings())
        try:
            with store.transaction() as session:
                results = session.execute(select(AnalysisResult.score, AnalysisResult.sentiment_label)).all()
        finally:
            store.close()
        assert len(results) == run["conversations_processed"]
        assert all(0 <= score <= 100 for score, _ in results)
        assert {label for _, label in results} <= {"negative", "neutral", "positive"}
        assert len({score for score, _ in results}) > 1  # real data scores differ

    def test_a_file_with_mistakes_is_refused_and_nothing_stored(self, demo: Path, tmp_path: Path) -> None:
        """Every issue is listed by path; the store is left exactly as it was."""
        bad = tmp_path / "bad.yaml"
        bad.write_text(
            "name: Broken\n"
            "trigger: {type: manual}\n"
            "steps:\n"
            "  - {id: pick, type: select_conversations, config: {source: {integration: nowhere}}}\n"
            "  - {id: analyse, type: process_conversations, after: [pikc], config: {pipeline: default-qaa}}\n"
            "  - {id: low, type: filter, after: [pick],\n"
            "     config: {condition: {rules: [{field: score, operator: '<', value: 70}]}}}\n"
        )
        before = counts()
        result = CliRunner().invoke(app, ["run", str(bad)])
        assert result.exit_code == 2
        for path in (
            "steps[0].config.source.integration",
            "steps[1].after[0]",
            "steps[1].config.pipeline",
            "steps[2].config.condition.rules[0].field",
        ):
            assert path in result.stderr
        assert counts() == before

    def test_a_run_cut_short_by_a_limit_says_so_and_exits_3(self, demo: Path, tmp_path: Path) -> None:
        """A limit that leaves conversations unprocessed is no plain success: the run completes, the last line says
        which limit stopped how many, and the exit code is 3 (documented in `redflare run --help`)."""
        limited = tmp_path / "limited.yaml"
        limited.write_text(
            "name: Limited\n"
            "trigger: {type: schedule, daily: '02:00', timezone: Europe/London}\n"
            "settings: {call_limit: 4}\n"
            "steps:\n"
            "  - {id: pick, type: select_conversations, config: {source: {integration: demo}, limit: 10}}\n"
            "  - {id: analyse, type: process_conversations, after: [pick], config: {pipeline: default-qa}}\n"
        )
        result = CliRunner().invoke(app, ["run", str(limited)])
        assert result.exit_code == 3, result.output
        assert result.stdout.startswith("Run 1: completed")
        assert result.stdout.rstrip().endswith("Stopped by the call limit: 7 conversations left unprocessed.")
        assert "3 completed but cut short" in CliRunner().invoke(app, ["run", "--help"]).stdout

    def test_a_file_never_runs_as_or_overwrites_a_published_workflow_of_its_name(self, demo: Path) -> None:
        """Issue P8: `redflare run FILE` ran the stored, paused workflow of the file's name (run #3, 500 credits) and
        overwrote its draft and limits. A published namesake is the user's: the file is refused (exit 2), saying
        how to run either, and nothing of the stored workflow changes."""
        store = Store.open(Settings())
        try:
            with store.transaction() as session:
                stored = session.scalar(select(Workflow).where(Workflow.name == "Nightly QA triage"))
                assert stored is not None
                stored.status, stored.active_version, stored.credits_limit = "paused", None, 20
                before = (dict(stored.draft), stored.credits_limit, stored.status)
        finally:
            store.close()
        result = CliRunner().invoke(app, ["run", str(demo / "nightly-qa-triage.yaml")])
        assert result.exit_code == 2, result.output
        assert "a paused workflow is named 'Nightly QA triage': run it by its name" in result.stderr
        store = Store.open(Settings())
        try:
            with store.read() as session:
                again = session.scalar(select(Workflow).where(Workflow.name == "Nightly QA triage"))
                assert again is not None
                assert (dict(again.draft), again.credits_limit, again.status) == before
                assert session.scalar(select(func.count()).select_from(Run)) == 0
        finally:
            store.close()

    def test_run_a_stored_workflow_by_name(self, demo: Path) -> None:
        """A workflow the demo stored runs by its name."""
        result = CliRunner().invoke(app, ["run", "Unhappy customers review"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Run 1: completed")


class TestRunsCommands:
    def test_list_show_and_cancel(self, demo: Path) -> None:
        """Runs are listed and shown; a finished run cannot be cancelled, and saying so is not a crash."""
        assert "No Runs yet" in CliRunner().invoke(app, ["runs", "list", "Nightly QA triage"]).stdout
        run = json.loads(CliRunner().invoke(app, ["run", "Nightly QA triage", "--json"]).stdout)
        listed = CliRunner().invoke(app, ["runs", "list", "Nightly QA triage"])
        assert run["id"] in listed.stdout
        shown = json.loads(CliRunner().invoke(app, ["runs", "show", run["id"], "--json"]).stdout)
        assert shown == run
        refused = CliRunner().invoke(app, ["runs", "cancel", run["id"]])
        assert refused.exit_code == 2
        assert "completed run cannot become cancelled" in refused.stderr
