"""`redflare import`: a summary on success, every bad row as `file:line: reason` and exit 1 when refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from redflare.adapters.db.conversations import count_conversations
from redflare.adapters.db.store import Store
from redflare.cli.imports import import_command
from redflare.config import Settings


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("import")(import_command)
    app.command("noop")(lambda: None)  # a second command keeps `import` a named subcommand
    return app


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("REDFLARE_DATA_DIR", str(folder))
    monkeypatch.delenv("REDFLARE_DATABASE_URL", raising=False)
    return folder


def _stored(integration: str) -> int:
    store = Store.open(Settings())
    try:
        with store.transaction() as session:
            return count_conversations(session, integration=integration)
    finally:
        store.close()


def _file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "calls.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = '{"id": "c-1", "channel": "chat", "turns": [{"speaker": "agent", "text": "Hi"}]}'
BAD = '{"id": "c-2", "channel": "chat", "turns": [{"speaker": "robot", "text": "Beep"}]}'


class TestImportCommand:
    def test_success_prints_a_summary(self, app: typer.Typer, tmp_path: Path, data_dir: Path) -> None:
        """Exit 0 and a line saying how many were new and updated; running again updates them."""
        path = _file(tmp_path, [GOOD])
        first = CliRunner().invoke(app, ["import", str(path), "--integration", "demo"])
        second = CliRunner().invoke(app, ["import", str(path), "-i", "demo"])
        assert (first.exit_code, second.exit_code) == (0, 0)
        assert "Imported into demo: 1 new, 0 updated" in first.stdout
        assert "Imported into demo: 0 new, 1 updated" in second.stdout
        assert _stored("demo") == 1

    def test_bad_rows_refuse_the_import(self, app: typer.Typer, tmp_path: Path, data_dir: Path) -> None:
        """Exit 1, each bad row as file:line: reason, and nothing stored."""
        path = _file(tmp_path, [GOOD, BAD])
        result = CliRunner().invoke(app, ["import", str(path), "--integration", "demo"])
        assert result.exit_code == 1
        assert f"{path}:2: turns[0].speaker" in result.stderr
        assert "Refused" in result.stderr
        assert _stored("demo") == 0

    def test_skip_bad_stores_the_rest(self, app: typer.Typer, tmp_path: Path, data_dir: Path) -> None:
        """--skip-bad stores the good row and still lists the bad one."""
        path = _file(tmp_path, [GOOD, BAD])
        result = CliRunner().invoke(app, ["import", str(path), "--integration", "demo", "--skip-bad"])
        assert result.exit_code == 0
        assert "1 new" in result.stdout
        assert f"{path}:2: " in result.stderr
        assert _stored("demo") == 1

    def test_json_report(self, app: typer.Typer, tmp_path: Path, data_dir: Path) -> None:
        """--json prints the report for scripts, refused or not."""
        path = _file(tmp_path, [GOOD, BAD])
        result = CliRunner().invoke(app, ["import", str(path), "--integration", "demo", "--json"])
        report = json.loads(result.stdout)
        assert result.exit_code == 1
        assert (report["stored"], report["records_read"]) == (False, 2)
        assert [row["where"] for row in report["bad_rows"]] == [f"{path}:2"]

    def test_a_missing_path_exits_1(self, app: typer.Typer, tmp_path: Path, data_dir: Path) -> None:
        """An unusable argument is refused with the reason."""
        result = CliRunner().invoke(app, ["import", str(tmp_path / "nope.csv"), "--integration", "demo"])
        assert result.exit_code == 1
        assert "does not exist" in result.stderr

    def test_the_integration_is_required(self, app: typer.Typer, tmp_path: Path, data_dir: Path) -> None:
        """Without --integration the command says what is missing (usage error)."""
        result = CliRunner().invoke(app, ["import", str(_file(tmp_path, [GOOD]))])
        assert result.exit_code == 2
        assert "--integration" in result.output
