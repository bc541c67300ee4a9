"""Tables the commands print for people: a header over aligned columns, credits and times as the browser app writes
them."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from redflare.cli import app
from redflare.cli.tables import credits_text, table, time_text

CREDITS = st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False)
CELLS = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "P"]), min_size=1, max_size=12)


class TestCreditsText:
    @given(CREDITS)
    def test_at_most_two_decimals_rounded_half_up(self, amount: Decimal) -> None:
        """Any stored amount reads back as itself rounded half up to the cent, with no more than two decimals."""
        text = credits_text(amount)
        assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d{1,2})?", text), text
        assert Decimal(text.replace(",", "")) == amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    def test_examples(self) -> None:
        """As the Runs tab writes them."""
        assert [credits_text(Decimal(v)) for v in ("0", "12.3456", "1234.5", "0.0050", "7.0000")] == [
            "0",
            "12.35",
            "1,234.5",
            "0.01",
            "7",
        ]


class TestTimeText:
    def test_in_utc_to_the_minute(self) -> None:
        """A time in any zone is shown in UTC; a stored time without a zone is UTC; none is a dash."""
        paris = datetime(2026, 3, 2, 10, 15, 59, tzinfo=timezone(timedelta(hours=1)))
        assert time_text(paris) == "2026-03-02 09:15 UTC"
        assert time_text(datetime(2026, 3, 2, 9, 15)) == "2026-03-02 09:15 UTC"
        assert time_text(datetime(2026, 3, 2, 9, 15, tzinfo=UTC)) == "2026-03-02 09:15 UTC"
        assert time_text(None) == "-"


class TestTable:
    @given(st.lists(st.tuples(CELLS, CELLS, CELLS), max_size=8))
    def test_columns_line_up_under_the_header(self, rows: list[tuple[str, str, str]]) -> None:
        """Every cell of a column starts where its header does (the figures' column ends where its header ends),
        and no line ends in spaces."""
        lines = table(("Name", "Status", "Credits"), rows, right=(2,)).splitlines()
        assert len(lines) == len(rows) + 1
        status_at = lines[0].index("Status")
        width = len(lines[0])
        assert len({len(line) for line in lines}) == 1  # the figures column is right-aligned, so all end together
        assert width == max(len(line) for line in lines)
        for line, (name, status, amount) in zip(lines[1:], rows, strict=True):
            assert line.startswith(name)
            assert line[status_at:].startswith(status)
            assert line.endswith(amount)
        assert all(line == line.rstrip() for line in lines)


WORKFLOW = (
    "name: Table test\n"
    "trigger: {type: manual}\n"
    "steps:\n"
    "  - {id: pick, type: select_conversations, config: {source: {integration: calls}}}\n"
    "  - {id: analyse, type: process_conversations, after: [pick], config: {pipeline: default-qa}}\n"
)


def import_calls(tmp_path: Path) -> None:
    """Three conversations in integration `calls`, through the command line."""
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        "\n".join(
            f'{{"id": "c-{n}", "channel": "chat", "turns": [{{"speaker": "customer", "text": "Call {n}"}}]}}'
            for n in range(3)
        )
        + "\n",
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["import", str(calls), "--integration", "calls"]).exit_code == 0


def test_runs_list_has_a_header_and_credits_as_the_browser_shows_them(cli_env: Path, tmp_path: Path) -> None:
    """`redflare runs list` prints a header row, then each run with its credits to at most two decimals."""
    import_calls(tmp_path)
    workflow = tmp_path / "table.yaml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    ran = CliRunner().invoke(app, ["run", str(workflow), "--json"])
    assert ran.exit_code == 0, ran.output
    run = json.loads(ran.stdout)
    listed = CliRunner().invoke(app, ["runs", "list", "Table test"])
    assert listed.exit_code == 0, listed.output
    header, row = listed.stdout.splitlines()
    assert header.split() == ["Run", "Id", "Status", "Started", "Credits", "used"]
    assert row.split()[:3] == ["1", run["id"], "completed"]
    assert row.split()[-1] == credits_text(Decimal(str(run["credits"])))
    assert row.endswith(credits_text(Decimal(str(run["credits"]))))
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", row)


def test_workflows_list_has_a_header(cli_env: Path, tmp_path: Path) -> None:
    """`redflare workflows list` prints a header row over each workflow's name, status and last run."""
    import_calls(tmp_path)
    workflow = tmp_path / "table.yaml"
    workflow.write_text(WORKFLOW, encoding="utf-8")
    assert CliRunner().invoke(app, ["workflows", "import", str(workflow)]).exit_code == 0
    listed = CliRunner().invoke(app, ["workflows", "list"])
    header, row = listed.stdout.splitlines()
    assert header.split() == ["Name", "Status", "Last", "run", "Id"]
    assert row.startswith("Table test")
    assert "never" in row.split()
