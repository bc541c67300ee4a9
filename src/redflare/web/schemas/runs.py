"""Runs as the API takes and answers them: Run now, the run resource (SPEC appendix E) with step previews,
the runs list, the Runs tab's metrics, and the live feed's events.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

RunStatusName = Literal["queued", "running", "completed", "failed", "cancelled"]
StepStatusName = Literal["pending", "running", "completed", "failed", "skipped", "cancelled"]


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    test: bool = Field(
        default=False,
        description="A test run: executes the same graph but charges no credits, stores no analysis results "
        "and counts no call.",
    )
    sample: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="A test run's sample: at most this many conversations per selection (default 100). "
        "Only with `test: true`.",
    )

    @model_validator(mode="after")
    def _sample_only_in_a_test_run(self) -> RunCreate:
        if self.sample is not None and not self.test:
            raise ValueError("`sample` is for test runs: send it with `test: true`")
        return self


class TriggerPublic(BaseModel):
    type: str
    payload: dict[str, Any]


class ExportPublic(BaseModel):
    id: str
    name: str
    file_type: Literal["csv", "xlsx"]
    columns: list[str]
    rows: int = Field(description="Data rows in the file (the header not counted).")
    bytes: int = Field(description="The file's size.")
    created_at: str | None
    download_url: str | None = Field(
        default=None, description="A signed, expiring link to the file (only in GET /runs/{id})."
    )


class AttemptPublic(BaseModel):
    at: str | None
    ok: bool
    error: str | None = Field(description="The SMTP server's answer, or the connection problem.")


class MessagePublic(BaseModel):
    id: str
    run_id: str
    workflow_id: str
    step_id: str
    kind: Literal["alert", "report"]
    to: list[str]
    subject: str
    text: str
    html: str | None
    status: Literal["pending", "sending", "sent", "failed", "held"]
    reason: str | None = Field(
        description='Why it is held ("not sent: no SMTP server configured", a test run\'s "would be sent: …") or '
        "the last failure."
    )
    sendable: bool = Field(
        default=False,
        description="Whether Send now may queue it: held or failed, and not a test run's or a cancelled run's.",
    )
    attempts: list[AttemptPublic]
    next_attempt_at: str | None = Field(
        default=None, description="When a message waiting to be retried is tried next; null otherwise."
    )
    created_at: str | None
    sent_at: str | None


class OutboxMessagePublic(MessagePublic):
    run_number: int | None = Field(description="The number of the run that made it (1, 2, 3 … per workflow).")
    workflow_name: str | None = Field(description="The name of that run's workflow.")


class SentHeldPublic(BaseModel):
    queued: int = Field(description="How many held emails were queued to be sent.")


class OutboxPublic(BaseModel):
    data: list[OutboxMessagePublic]
    count: int


class StepProgressPublic(BaseModel):
    """How far a long step has got (Process Conversations reports after each batch)."""

    processed: int = Field(
        description="Conversations sent for analysis whose batch has finished (failed ones included)."
    )
    total: int = Field(
        description="Conversations to analyse once stored results are reused; a stop at a limit or a cancel "
        "leaves `processed` below it."
    )
    credits: float = Field(description="Credits the finished batches were charged so far.")


class StepPublic(BaseModel):
    id: str
    type: str
    status: StepStatusName
    started_at: str | None
    finished_at: str | None
    rows_in: int | None
    rows_out: int | None
    outputs: dict[str, int] = Field(description="Rows per output port (single-output steps use the port `out`).")
    credits: float
    tally: dict[str, Any] = Field(description="The step's own figures (Process Conversations: processed, reused …).")
    error: str | None
    exports: list[ExportPublic] = Field(
        default_factory=list, description="Files a Schedule Export step stored, with their rows and size."
    )
    messages: list[MessagePublic] = Field(
        default_factory=list, description="Emails the step put in the outbox: sent, waiting, failed or held (why)."
    )
    preview: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="Per output port, its first 50 rows (only in GET /runs/{id}).",
    )
    progress: StepProgressPublic | None = Field(
        default=None,
        description="The step's latest progress report while it runs, and its last one after; null for steps "
        "that do not report (all but Process Conversations) and before the first report.",
    )


class LimitStopPublic(BaseModel):
    limit: Literal["credits_limit", "call_limit"]
    left: int = Field(description="Conversations the limit left unprocessed.")
    message: str = Field(description='What every surface shows, e.g. "Stopped by the credits limit: 480 …".')


class RunPublic(BaseModel):
    """The run resource of appendix E (also what `redflare run --json` prints)."""

    id: str
    workflow_id: str
    number: int
    version: int | None = Field(description="The workflow version it runs; null for a draft.")
    status: RunStatusName
    trigger: TriggerPublic
    test: bool
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    runtime_s: float | None
    credits: float
    conversations_processed: int
    error: str | None
    limit_stop: LimitStopPublic | None = Field(
        default=None, description="Set when a limit cut the run short (the run still completes): which, and how many."
    )
    steps: list[StepPublic]


class RunSummary(BaseModel):
    id: str
    number: int
    status: RunStatusName
    version: int | None
    trigger_type: str
    test: bool
    created_at: str | None
    started_at: str | None
    finished_at: str | None
    runtime_s: float | None
    credits: float
    conversations_processed: int
    limit_stop: LimitStopPublic | None = None


class RunsPublic(BaseModel):
    data: list[RunSummary] = Field(description="Newest first.")
    count: int = Field(description="How many runs the workflow has in all (the page holds at most `limit`).")


class EmptyStatePublic(BaseModel):
    title: str
    message: str


class RunMetricsPublic(BaseModel):
    credits_used: float = Field(description="Credits used by all the workflow's runs.")
    average_runtime_s: float | None = Field(description="Average runtime of the completed runs, in seconds.")
    in_progress: int = Field(description="Runs queued or running.")
    completed: int
    failed: int
    cancelled: int
    total: int
    empty_state: EmptyStatePublic | None = Field(description='"No Runs yet" and its note, when there are no runs.')
    test_runs: int = Field(default=0, description="How many test runs the workflow has (left out of the figures).")


class RunEventPublic(BaseModel):
    """One status change of the run (step_id null) or of one of its steps, with that one's counts as they stand;
    or a running step's progress report (status `running`, `progress` set, `counts` the same three figures)."""

    id: int
    at: str | None
    step_id: str | None
    status: str
    reason: str | None
    counts: dict[str, Any]
    progress: StepProgressPublic | None = Field(
        default=None, description="Set on a progress report only: `{processed, total, credits}` as it was then."
    )
    run_counts: dict[str, Any] | None = Field(
        default=None,
        description="The run's `credits` and `conversations_processed` as they stand now (they grow batch by batch).",
    )
