"""Schedule Export: write chosen columns of the input set as a CSV or Excel file, store it, email a link.

Contract:
- The file holds `columns`, in the order listed, one row per conversation, with a header row; an empty
  input still gives a valid file with its header. Cell conversions and formula-injection safety are the
  export writers' (`redflare.adapters.exportfiles`); the step reaches them only through `ctx.exports`.
- An export column the input does not have is a validation issue at publish time (`columns_of`, path
  `columns[i]`) and a `StepError` at run time, never a silently empty column.
- Recipients are checked as email addresses (syntax only: no DNS lookup at publish time) and kept once
  each, compared case-insensitively; a malformed one is an issue at `recipients[i]` naming the address.
- The step passes its input through unchanged on `out`, records the export (rows, size, link) with its
  result, and hands the engine one "Your Report is Ready" message to all recipients, naming the workflow,
  run, export, rows, file type and size, with the signed download link and the run's link. Whether it is
  sent (or held: a test run, no SMTP) is the engine's business.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import Field, field_validator

from redflare.domain.conditions import ColumnKind
from redflare.domain.delivery import REPORT_SUBJECT, ExportRecord, OutgoingMessage, unique_recipients
from redflare.domain.validation import Columns, Environment
from redflare.sets.frames import columns_of as frame_columns
from redflare.sets.frames import empty_set
from redflare.steps.base import Look, Problems, StepConfig, StepKind, StepResult, check_input, helper
from redflare.steps.context import StepContext
from redflare.steps.recipients import MAX_RECIPIENTS, EmailAddress
from redflare.steps.when_empty import INITIAL, only_when_not_empty_field, skipped_when_empty
from redflare.steps.wording import counted, joined

TYPE = "schedule_export"
VERSION = 1
FILE_LABELS: Mapping[str, str] = {"csv": "CSV", "xlsx": "Excel (.xlsx)"}


ColumnName = Annotated[str, Field(min_length=1)]


class Config(StepConfig):
    name: str = Field(
        min_length=1,
        max_length=200,
        title="Export name",
        description="What the report is called: in the email, and as the downloaded file's name.",
        json_schema_extra=helper('E.g. "Reviewer A — low scores". The file type is added to the file name.'),
    )
    columns: list[ColumnName] = Field(
        min_length=1,
        title="Columns",
        description="The input's columns to include, in the order they appear in the file.",
        json_schema_extra=helper(
            "Pick from the columns of the set that flows in, e.g. id, agent, score, sentiment. "
            "Each column once; a column the set does not have is flagged in Final checks."
        ),
    )
    file_type: Literal["csv", "xlsx"] = Field(
        title="File type",
        description="CSV, or an Excel workbook (.xlsx).",
        json_schema_extra=helper(
            "Excel keeps numbers, dates and yes/no as real cells with a frozen header row; "
            "CSV opens anywhere. Times are in UTC in both."
        ),
    )
    only_when_not_empty: bool = only_when_not_empty_field()
    recipients: list[EmailAddress] = Field(
        min_length=1,
        max_length=MAX_RECIPIENTS,
        title="Recipients",
        description='Who gets the "Your Report is Ready" email with the download link.',
        json_schema_extra=helper(
            "Email addresses; duplicates are dropped. Downloading needs a RedFlare sign-in "
            "that may see this workflow, and the link expires."
        ),
    )

    @field_validator("name")
    @classmethod
    def _a_printable_name(cls, name: str) -> str:
        stripped = name.strip()
        if not stripped:
            raise ValueError("give the export a name")
        # Control characters (line breaks above all) have no place in an email line or a file name.
        if any(unicodedata.category(char) == "Cc" for char in stripped):
            raise ValueError("the name cannot contain line breaks or other control characters")
        return stripped

    @field_validator("columns", mode="before")
    @classmethod
    def _some_columns(cls, columns: Any) -> Any:
        # Said in the user's words before pydantic's "List should have at least 1 item" (minItems stays in the schema).
        if columns == []:
            raise ValueError("pick at least one column to export")
        return columns

    @field_validator("recipients", mode="before")
    @classmethod
    def _some_recipients(cls, recipients: Any) -> Any:
        if recipients == []:
            raise ValueError("add at least one recipient's email address")
        return recipients

    @field_validator("columns")
    @classmethod
    def _each_column_once(cls, columns: list[str]) -> list[str]:
        seen: set[str] = set()
        for column in columns:
            if column in seen:
                raise ValueError(f"column {column!r} is listed twice")
            seen.add(column)
        return columns

    @field_validator("recipients")
    @classmethod
    def _each_recipient_once(cls, recipients: list[str]) -> list[str]:
        return unique_recipients(recipients)


def column_problems(config: Config, columns: Mapping[str, ColumnKind]) -> Problems:
    """Every export column the input does not have, as (path, message) pairs."""
    return [
        (f"columns[{index}]", f"unknown column {name!r}")
        for index, name in enumerate(config.columns)
        if name not in columns
    ]


def columns_of(config: Config, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    return inputs, column_problems(config, inputs)


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    frame = empty_set() if frame is None else frame
    check_input(column_problems(config, frame_columns(frame)))
    quiet = skipped_when_empty(frame, config.only_when_not_empty)
    if quiet is not None:
        return quiet
    record = ctx.exports.write(frame, name=config.name, columns=config.columns, file_type=config.file_type)
    message = report_message(config, record, ctx.facts.facts())
    return StepResult.single(
        frame,
        tally={"rows": record.rows, "bytes": record.size},
        exports=[record],
        messages=[message],
    )


def report_message(config: Config, record: ExportRecord, facts: Mapping[str, Any]) -> OutgoingMessage:
    """The "Your Report is Ready" email: what the file is, where it came from, and its links.

    The export and workflow names are user text: escaped in the HTML part, plain in the text part.
    """
    workflow = str(facts["workflow"]["name"])
    run = facts["run"]
    lines = [
        ("Report", record.name),
        ("Workflow", workflow),
        ("Run", f"#{run['number']}" + (" (test run)" if run.get("test") else "")),
        ("Rows", f"{record.rows:,}"),
        ("File", f"{FILE_LABELS[record.file_type]}, {human_size(record.size)}"),
    ]
    note = "Sign in to RedFlare to download it; the link expires."
    text = "\n".join(
        [
            f'Your report "{record.name}" from the workflow "{workflow}" is ready.',
            "",
            *(f"{label}: {value}" for label, value in lines),
            "",
            f"Download: {record.link}",
            note,
            "",
            f"Open the run: {run['url']}",
            "",
        ]
    )
    rows = "".join(
        f'<tr><th align="left">{html.escape(label)}</th><td>{html.escape(value)}</td></tr>' for label, value in lines
    )
    markup = (
        f"<p>Your report <strong>{html.escape(record.name)}</strong> from the workflow "
        f"<strong>{html.escape(workflow)}</strong> is ready.</p>"
        f"<table>{rows}</table>"
        f'<p><a href="{html.escape(record.link)}">Download the report</a><br>{html.escape(note)}</p>'
        f'<p><a href="{html.escape(str(run["url"]))}">Open the run</a></p>'
    )
    return OutgoingMessage(
        recipients=tuple(config.recipients), subject=REPORT_SUBJECT, text=text, html=markup, kind="report"
    )


def human_size(size: int) -> str:
    """A byte count as people read it: "812 bytes", "14.2 KB", "3.1 MB" (1 KB = 1,024 bytes)."""
    if size < 1024:
        return f"{size:,} byte" + ("" if size == 1 else "s")
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:,.1f} {unit}"


SHORT_FILE_LABELS: Mapping[str, str] = {"csv": "CSV", "xlsx": "Excel"}


def summarize(config: Config) -> str:
    """`Excel · 3 recipients`."""
    return joined([SHORT_FILE_LABELS[config.file_type], counted(len(config.recipients), "recipient")])


KIND: StepKind[Config] = StepKind(
    type=TYPE,
    version=VERSION,
    title="Schedule Export",
    description="Build a CSV or Excel report and email a download link.",
    config_model=Config,
    execute=execute,
    initial_config=INITIAL,
    columns_of=columns_of,
    look=Look(icon="M6 3h8l4 4v14H6zM14 3v4h4M12 10v7M9 14l3 3 3-3", color="green"),
    summarize=summarize,
)
