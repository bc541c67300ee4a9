"""Schedule Export through the real engine: the file it stores (read back cell by cell), the export it records,
the "Your Report is Ready" message it leaves in the outbox, and the Final checks of its fields."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import polars as pl
import pytest
from sqlalchemy import select

from redflare.adapters.db.exports import exports_of_run
from redflare.adapters.db.orm import Conversation, Integration
from redflare.adapters.db.runs import artifacts_of
from redflare.adapters.db.store import Store
from redflare.adapters.storage.local import LocalStorage
from redflare.domain.delivery import NOT_SENT_NO_SMTP, NOT_SENT_TEST_RUN, REPORT_SUBJECT
from redflare.domain.errors import InvalidWorkflow, Issue
from redflare.domain.loading import document_from_data
from redflare.services.bootstrap import ensure_builtins
from redflare.services.execution import Runner
from redflare.services.workflows import final_checks
from redflare.sets.stored import read_stored
from redflare.steps.schedule_export import human_size
from tests.factories import PROCESS, SELECT_DEMO, T0, add_conversations, make_runner, step, workflow

RECIPIENTS = ["qa@example.com", "Lead@Example.com", "QA@EXAMPLE.COM"]
ANALYSED = ["id", "agent", "started_at", "duration_s", "tags", "score", "turns", "criterion.greeting"]
FORMULAS = {
    "agent": '=HYPERLINK("http://evil.example","click")',
    "team": "+1+1",
    "queue": "-2+3",
    "outcome": "@SUM(A1:A9)",
}
PICK_ALL = step("pick", "select_conversations", source="all")  # Final checks need no integration for this
LINK = re.compile(r"http://127\.0\.0\.1:8000/api/exports/(?P<id>[0-9a-f]{32})/download\?sig=\S+")


def export_step(step_id: str = "report", after: str = "pick", **config: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Reviewer A",
        "columns": ["id", "agent"],
        "file_type": "xlsx",
        "recipients": RECIPIENTS,
    }
    return step(step_id, "schedule_export", [after], **{**fields, **config})


def steps_of(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in resource["steps"]}


def stored_file(store: Store, run_id: str) -> bytes:
    """The bytes of the run's one export, read back through the storage the engine wrote it to."""
    with store.read() as session:
        (export,) = exports_of_run(session, run_id)
        key = export.key
    # make_runner's engine keeps exports beside the artifacts folder (no settings given).
    with LocalStorage(store.artifacts_dir.parent / "exports").open(key) as handle:
        return handle.read()


def exported_input(store: Store, run_id: str, step_id: str = "report") -> pl.DataFrame:
    """The set the export step saw: it passes its input through on `out`, unchanged."""
    with store.read() as session:
        kept = artifacts_of(session, run_id, step_id)["out"]
        return read_stored(kept.path, kept.data)


def workbook(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def add_formula_conversations(store: Store) -> None:
    """Two conversations whose customer-controlled text starts like a spreadsheet formula."""
    with store.transaction() as session:
        source = session.scalar(select(Integration).where(Integration.name == "demo"))
        assert source is not None
        for i in range(2):
            session.add(
                Conversation(
                    id=f"evil-{i}",
                    integration_id=source.id,
                    channel="chat",
                    started_at=T0 - timedelta(days=1, minutes=i),
                    duration_s=-5.0 if i else 60.0,  # a negative number stays a number, not escaped text
                    tags=["=cmd|' /C calc'!A0"],
                    language="en",
                    extra={},
                    turns=[],
                    imported_at=T0,
                    updated_at=T0,
                    **FORMULAS,
                )
            )


@pytest.fixture
def runner(store: Store) -> Runner:
    add_conversations(store, 9)
    return make_runner(store)


class TestExcelFile:
    def test_every_cell_is_the_inputs_value_with_its_type(self, store: Store, runner: Runner) -> None:
        """Numbers are numbers, started_at a real date (UTC), pass/fail a boolean, tags one text; header frozen."""
        resource = runner.run_document(
            workflow(SELECT_DEMO, PROCESS, export_step(after="analyse", columns=ANALYSED, file_type="xlsx"))
        )
        assert resource["status"] == "completed", resource
        sheet = workbook(stored_file(store, resource["id"]))
        frame = exported_input(store, resource["id"])
        assert frame.height == 9
        header = [cell.value for cell in sheet[1]]
        assert header == [
            "id",
            "agent",
            "started_at (UTC)",
            "duration_s",
            "tags",
            "score",
            "turns",
            "criterion.greeting",
        ]
        assert sheet.freeze_panes == "A2"
        assert sheet.max_row == 1 + frame.height
        for row, expected in zip(
            sheet.iter_rows(min_row=2, values_only=True), frame.iter_rows(named=True), strict=True
        ):
            cells = dict(zip(ANALYSED, row, strict=True))
            assert cells["id"] == expected["id"]
            assert cells["agent"] == expected["agent"]
            assert isinstance(cells["started_at"], datetime)
            assert cells["started_at"] == expected["started_at"].astimezone(UTC).replace(tzinfo=None)
            for number in ("duration_s", "score", "turns"):
                assert isinstance(cells[number], int | float), number
                assert not isinstance(cells[number], bool), number
                assert math.isclose(cells[number], expected[number], rel_tol=1e-15), number
            assert cells["criterion.greeting"] is expected["criterion.greeting"]
            assert (cells["tags"] or "") == ", ".join(expected["tags"])  # no tags: an empty cell

    def test_formula_text_stays_text(self, store: Store, runner: Runner) -> None:
        """Agent, team, queue, outcome or tags beginning with = + - @ are text cells, exactly as written."""
        add_formula_conversations(store)
        columns = ["id", "duration_s", *FORMULAS, "tags"]
        resource = runner.run_document(workflow(SELECT_DEMO, export_step(columns=columns)))
        sheet = workbook(stored_file(store, resource["id"]))
        found = 0
        for row in sheet.iter_rows(min_row=2):
            cells = dict(zip(columns, row, strict=True))
            if not str(cells["id"].value).startswith("evil-"):
                continue
            found += 1
            for name, text in FORMULAS.items():
                assert (cells[name].data_type, cells[name].value) == ("s", text), name
            assert (cells["tags"].data_type, cells["tags"].value) == ("s", "=cmd|' /C calc'!A0")
            assert cells["duration_s"].data_type == "n"
        assert found == 2


class TestCsvFile:
    def test_rows_read_back_with_the_csv_module(self, store: Store, runner: Runner) -> None:
        """One header row, then each conversation: text as is, UTC times with Z, numbers, true/false, tags joined."""
        resource = runner.run_document(
            workflow(SELECT_DEMO, PROCESS, export_step(after="analyse", columns=ANALYSED, file_type="csv"))
        )
        rows = csv_rows(stored_file(store, resource["id"]))
        frame = exported_input(store, resource["id"])
        assert rows[0] == ANALYSED
        assert len(rows) == 1 + frame.height
        for row, expected in zip(rows[1:], frame.iter_rows(named=True), strict=True):
            cells = dict(zip(ANALYSED, row, strict=True))
            assert cells["id"] == expected["id"]
            assert cells["agent"] == expected["agent"]
            started = datetime.fromisoformat(cells["started_at"])
            assert cells["started_at"].endswith("Z")
            assert started == expected["started_at"]
            for number in ("duration_s", "score", "turns"):
                assert math.isclose(float(cells[number]), expected[number], rel_tol=1e-15), number
            assert cells["criterion.greeting"] == str(expected["criterion.greeting"]).lower()
            assert cells["tags"] == "|".join(expected["tags"])

    def test_formula_text_is_escaped(self, store: Store, runner: Runner) -> None:
        """A cell that would start a formula gets a leading ' (OWASP's advice); a negative number stays a number."""
        add_formula_conversations(store)
        columns = ["id", "duration_s", *FORMULAS, "tags"]
        resource = runner.run_document(workflow(SELECT_DEMO, export_step(columns=columns, file_type="csv")))
        rows = {row[0]: dict(zip(columns, row, strict=True)) for row in csv_rows(stored_file(store, resource["id"]))}
        for conversation in ("evil-0", "evil-1"):
            cells = rows[conversation]
            assert {name: cells[name] for name in FORMULAS} == {name: "'" + text for name, text in FORMULAS.items()}
            assert cells["tags"] == "'=cmd|' /C calc'!A0"
        assert rows["evil-1"]["duration_s"] == "-5.0"


class TestEmptySet:
    @pytest.mark.parametrize("file_type", ["csv", "xlsx"])
    def test_an_empty_set_still_gives_a_file_with_its_header(
        self, store: Store, runner: Runner, file_type: str
    ) -> None:
        """Nothing matched upstream: the report is still a valid file, holding just the header row."""
        nobody = step(
            "nobody", "filter", ["pick"], condition={"rules": [{"field": "agent", "operator": "=", "value": "Nobody"}]}
        )
        columns = ["id", "started_at", "tags"]
        resource = runner.run_document(
            workflow(SELECT_DEMO, nobody, export_step(after="nobody", columns=columns, file_type=file_type))
        )
        assert resource["status"] == "completed", resource
        content = stored_file(store, resource["id"])
        if file_type == "csv":
            assert csv_rows(content) == [columns]
        else:
            sheet = workbook(content)
            assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["id", "started_at (UTC)", "tags"]]
        report = steps_of(resource)["report"]
        assert report["tally"] == {"rows": 0, "bytes": len(content)}
        assert report["exports"][0]["rows"] == 0
        assert "Rows: 0" in report["messages"][0]["text"]


class TestRecordAndMessage:
    def test_the_run_records_the_export_and_holds_the_report_email(self, store: Store, runner: Runner) -> None:
        """The step passes its set on, lists the export with rows and size, and the outbox holds one report
        email to each recipient once, with the download link and the run's link (no SMTP: not sent, and says so)."""
        document = workflow(SELECT_DEMO, export_step(name="Q1 <b>Tom & Jerry</b>"), name="Nightly QA")
        resource = runner.run_document(document)
        report = steps_of(resource)["report"]
        content = stored_file(store, resource["id"])
        assert report["status"] == "completed"
        assert report["outputs"] == {"out": 9}
        assert report["rows_in"] == 9
        assert report["tally"] == {"rows": 9, "bytes": len(content)}
        (export,) = report["exports"]
        assert {k: export[k] for k in ("name", "file_type", "columns", "rows", "bytes")} == {
            "name": "Q1 <b>Tom & Jerry</b>",
            "file_type": "xlsx",
            "columns": ["id", "agent"],
            "rows": 9,
            "bytes": len(content),
        }
        (message,) = report["messages"]
        assert (message["kind"], message["subject"]) == ("report", REPORT_SUBJECT)
        assert message["to"] == ["qa@example.com", "Lead@example.com"]
        assert (message["status"], message["reason"]) == ("held", NOT_SENT_NO_SMTP)
        run_url = f"http://127.0.0.1:8000/workflows/{resource['workflow_id']}/runs/{resource['id']}"
        text = message["text"]
        link = LINK.search(text)
        assert link is not None
        assert link.group("id") == export["id"]
        for expected in (
            '"Q1 <b>Tom & Jerry</b>"',
            '"Nightly QA"',
            "Run: #1",
            "Rows: 9",
            f"File: Excel (.xlsx), {human_size(len(content))}",
            f"Open the run: {run_url}",
        ):
            assert expected in text, expected
        markup = message["html"]
        assert "Q1 &lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in markup
        assert "<b>Tom" not in markup
        assert f'href="{link.group(0).replace("&", "&amp;")}"' in markup
        assert f'href="{run_url}"' in markup

    def test_a_test_run_still_builds_the_file_and_shows_the_unsent_email(self, store: Store, runner: Runner) -> None:
        """A test run stores the report and keeps the email it would send, marked as a test run's."""
        resource = runner.run_document(workflow(SELECT_DEMO, export_step(file_type="csv")), test=True)
        report = steps_of(resource)["report"]
        assert len(csv_rows(stored_file(store, resource["id"]))) == 1 + 9
        (message,) = report["messages"]
        assert (message["status"], message["reason"]) == ("held", NOT_SENT_TEST_RUN)
        assert "Run: #1 (test run)" in message["text"]


def issues_of(store: Store, *steps: dict[str, Any]) -> list[Issue]:
    ensure_builtins(store, make_runner(store).clock)
    with store.read() as session:
        return final_checks(session, document_from_data(workflow(PICK_ALL, *steps)))


class TestFinalChecks:
    def test_a_good_export_has_no_issues(self, store: Store) -> None:
        """Analysis columns are known after Process Conversations; a complete export passes."""
        assert issues_of(store, PROCESS, export_step(after="analyse", columns=ANALYSED)) == []

    def test_an_unknown_column_is_named_at_its_place(self, store: Store) -> None:
        """A column the input does not have (score before any analysis, a typo) is an issue at columns[i]."""
        issues = issues_of(store, export_step(columns=["id", "score", "agnet"]))
        assert [(i.path, i.node, i.message) for i in issues] == [
            ("steps[1].config.columns[1]", "report", "unknown column 'score'"),
            ("steps[1].config.columns[2]", "report", "unknown column 'agnet'"),
        ]

    def test_no_recipients(self, store: Store) -> None:
        """An export with nobody to tell is flagged at its recipients."""
        issues = issues_of(store, export_step(recipients=[]))
        assert [(i.path, i.node, i.message) for i in issues] == [
            ("steps[1].config.recipients", "report", "add at least one recipient's email address")
        ]

    def test_a_malformed_address_is_named(self, store: Store) -> None:
        """Each address that is not one is an issue at its place, quoting it."""
        issues = issues_of(store, export_step(recipients=["qa@example.com", "bob@", "not an address"]))
        assert [(i.path, i.node) for i in issues] == [
            ("steps[1].config.recipients[1]", "report"),
            ("steps[1].config.recipients[2]", "report"),
        ]
        assert issues[0].message.startswith("'bob@' is not an email address")
        assert issues[1].message.startswith("'not an address' is not an email address")

    def test_an_unknown_file_type(self, store: Store) -> None:
        """Only CSV and Excel exist; anything else is flagged at file_type."""
        issues = issues_of(store, export_step(file_type="pdf"))
        assert [(i.path, i.node) for i in issues] == [("steps[1].config.file_type", "report")]
        assert issues[0].message == "File type must be csv or xlsx."

    def test_name_and_columns_need_content(self, store: Store) -> None:
        """A blank name, no columns, or a column twice are each flagged at their field."""
        issues = issues_of(
            store, export_step(name="  "), export_step("again", columns=[]), export_step("twice", columns=["id", "id"])
        )
        assert [(i.path, i.node, i.message) for i in issues] == [
            ("steps[1].config.name", "report", "give the export a name"),
            ("steps[2].config.columns", "again", "pick at least one column to export"),
            ("steps[3].config.columns", "twice", "column 'id' is listed twice"),
        ]

    def test_a_run_is_refused_with_the_same_issues(self, store: Store, runner: Runner) -> None:
        """`redflare run` refuses a workflow whose export has issues, listing them, and runs nothing."""
        with pytest.raises(InvalidWorkflow) as refused:
            runner.run_document(workflow(SELECT_DEMO, export_step(columns=["id", "nope"])))
        assert [i.path for i in refused.value.issues] == ["steps[1].config.columns[1]"]


def test_an_empty_list_writes_no_file_and_sends_nothing_when_asked(store: Store) -> None:
    """'Only when the list is not empty': an export of nothing stays quiet (no file, no "Your Report is Ready")."""
    add_conversations(store, 3)
    nobody = {"combinator": "and", "rules": [{"field": "agent", "operator": "=", "value": "nobody"}]}
    nothing = step("pick", "select_conversations", source={"integration": "demo"}, filter=nobody)
    resource = make_runner(store).run_document(workflow(nothing, export_step(only_when_not_empty=True)))
    report = next(s for s in resource["steps"] if s["id"] == "report")
    assert (report["status"], report["exports"], report["messages"]) == ("completed", [], [])
    assert report["tally"]["skipped_empty"] == 1


def test_a_report_from_both_reviewer_ports_says_who_gets_what_in_the_alerts_order(store: Store) -> None:
    """Issue P8: a report built from Distribute's two ports could not say who gets what, and its rows came in
    another order than the alert's. Fed the same ports, the export carries `group` and lists the rows in the very
    order the alert does."""
    add_conversations(store, 8)
    split = step(
        "split",
        "distribute",
        ["worst"],
        mode="round_robin",
        groups=[{"name": "Reviewer A"}, {"name": "Reviewer B"}],
    )
    worst = step("worst", "sort", ["pick"], by=[{"field": "started_at", "direction": "desc"}])
    ports = ["split.Reviewer A", "split.Reviewer B"]
    alert = step(
        "tell",
        "send_alert",
        ports,
        subject="{{ input.count }} to review",
        message="{% for row in input.rows %}{{ row.id }}={{ row.group }}\n{% endfor %}",
        recipients=["qa@example.com"],
    )
    report = {
        "id": "report",
        "type": "schedule_export",
        "after": ports,
        "config": {
            "name": "Who reviews what",
            "columns": ["id", "group"],
            "file_type": "csv",
            "recipients": ["b@x.io"],
        },
    }
    resource = make_runner(store).run_document(workflow(SELECT_DEMO, worst, split, alert, report))
    [message] = steps_of(resource)["tell"]["messages"]
    alerted = [line.split("=") for line in message["text"].strip().splitlines()]
    exported = csv_rows(stored_file(store, resource["id"]))
    assert exported[0] == ["id", "group"]
    assert exported[1:] == alerted
    assert {group for _, group in alerted} == {"Reviewer A", "Reviewer B"}
