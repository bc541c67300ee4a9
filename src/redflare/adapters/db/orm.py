"""SQLAlchemy 2 typed models of the store. Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from redflare.adapters.db.types import Credits, JsonType, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JsonType,
        list[Any]: JsonType,
        Decimal: Credits(),
    }


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements (bulk writes and hot reads skip the ORM's unit of work)."""
    return cast(Table, model.__table__)


class Integration(Base):
    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="import")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class Sync(Base):
    """One sync of an integration: a pushed batch, an explicit start/complete pair, or a folder scan."""

    __tablename__ = "syncs"
    __table_args__ = (Index("ix_syncs_integration_started", "integration_id", "started_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))  # running, completed, failed
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The conversations that arrived in this sync's window: what a Sync Completed firing gathers.
    conversation_ids: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text)


class SyncEvent(Base):
    """Sync Started / Completed / Failed, written with the sync's change (outbox pattern); the scheduler
    turns each into firings of the live workflows that listen for it."""

    __tablename__ = "sync_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(20))  # sync_started, sync_completed, sync_failed
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    sync_id: Mapped[str] = mapped_column(ForeignKey("syncs.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None] = mapped_column(index=True)


class IntegrationFile(Base):
    """A file a folder integration has imported (by name, size and modification time), so it is read once."""

    __tablename__ = "integration_files"
    __table_args__ = (UniqueConstraint("integration_id", "name", "size", "mtime_ns"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger)
    mtime_ns: Mapped[int] = mapped_column(BigInteger)
    sync_id: Mapped[str | None] = mapped_column(ForeignKey("syncs.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime]


class Firing(Base):
    """One trigger firing of a workflow, by its idempotency key: (schedule time) or (sync id).

    The unique (workflow, key) makes a firing happen once however many schedulers or duplicate events see
    it; `outcome` says what came of it: started (a run), waiting (queued behind a running run), skipped.
    """

    __tablename__ = "firings"
    __table_args__ = (
        UniqueConstraint("workflow_id", "key"),
        Index("ix_firings_workflow_outcome", "workflow_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    trigger_type: Mapped[str] = mapped_column(String(20))
    scheduled_for: Mapped[datetime | None]  # a schedule's fire time
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    outcome: Mapped[str] = mapped_column(String(10))  # started, waiting, skipped
    reason: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    duplicates: Mapped[int] = mapped_column(Integer, default=0)  # the same firing seen again, ignored
    at: Mapped[datetime]


class Conversation(Base):
    """One conversation; `id` is the source's id, unique across integrations (mappings prefix theirs)."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime | None] = mapped_column(index=True)
    duration_s: Mapped[float | None] = mapped_column(Float)
    agent: Mapped[str | None] = mapped_column(String(200), index=True)
    customer: Mapped[str | None] = mapped_column(String(200))
    team: Mapped[str | None] = mapped_column(String(200), index=True)
    queue: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    outcome: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    audio: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # Turns live with their conversation as one JSON document: always read and written whole.
    turns: Mapped[list[Any]] = mapped_column(default=list, deferred=True)
    imported_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Pipeline(Base):
    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class PipelineVersion(Base):
    __tablename__ = "pipeline_versions"

    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class AnalysisResult(Base):
    """A stored result: the ledger entry that keeps a conversation from being billed twice per version."""

    __tablename__ = "analysis_results"
    __table_args__ = (UniqueConstraint("conversation_id", "pipeline_id", "pipeline_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    pipeline_id: Mapped[int] = mapped_column(ForeignKey("pipelines.id", ondelete="CASCADE"), index=True)
    pipeline_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    sentiment: Mapped[float | None] = mapped_column(Float)
    sentiment_label: Mapped[str | None] = mapped_column(String(10))
    criteria: Mapped[dict[str, Any]] = mapped_column(default=dict)
    talk_ratio: Mapped[float | None] = mapped_column(Float)
    turns: Mapped[int | None] = mapped_column(Integer)
    silence_s: Mapped[float | None] = mapped_column(Float)
    longest_silence_s: Mapped[float | None] = mapped_column(Float)
    interruptions: Mapped[int | None] = mapped_column(Integer)
    agent_response_s: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float)
    turn_sentiments: Mapped[list[Any]] = mapped_column(default=list, deferred=True)
    # Per criterion name: what decided it ({turn, speaker, text, offset_s, end_s, match, similarity, value}) or null.
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict, deferred=True)
    # The turns transcription made of an audio conversation (speaker, text, offset_s, end_s); empty for text.
    transcript: Mapped[list[Any]] = mapped_column(default=list, deferred=True)
    credits: Mapped[Decimal]
    run_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Workflow(Base):
    __tablename__ = "workflows"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    draft: Mapped[dict[str, Any]]
    active_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(String(200))
    paused_reason: Mapped[str | None] = mapped_column(Text)
    # Guardrails act on the workflow, not on a version: a change applies at once, to runs in flight too.
    call_limit: Mapped[int | None] = mapped_column(Integer)
    credits_limit: Mapped[Decimal | None]
    credits_limit_since: Mapped[datetime | None]
    # What a firing does while a run is still going: "skip" it, "queue" one (at most one waiting), or "parallel".
    overlap_policy: Mapped[str] = mapped_column(String(10), default="queue", server_default="queue")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class WorkflowVersion(Base):
    __tablename__ = "workflow_versions"

    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[dict[str, Any]]
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("workflow_id", "number"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    trigger_type: Mapped[str] = mapped_column(String(20))
    trigger_payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # The definition the run executes, pinned when it was created: later edits never touch it.
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # Seconds the run stood failed before being re-run: inside start → finish, but not its runtime.
    idle_s: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    credits: Mapped[Decimal] = mapped_column(default=Decimal(0))
    conversations_processed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class RunEvent(Base):
    """Every status change of a run or one of its steps, appended (the run's history and live feed)."""

    __tablename__ = "run_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]
    # A progress report of a running step ({processed, total, credits} as it stood then); null for status changes.
    progress: Mapped[dict[str, Any] | None]


class StepRun(Base):
    __tablename__ = "step_runs"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    rows_in: Mapped[int | None] = mapped_column(Integer)
    rows_out: Mapped[int | None] = mapped_column(Integer)
    outputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credits: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tally: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    # The latest progress a long step reported ({processed, total, credits}); null until it reports.
    progress: Mapped[dict[str, Any] | None]


class Artifact(Base):
    """A conversation set a step produced on one port: a small one in the row itself (`data`, Arrow IPC), a larger
    one as a Parquet file (`path`); see engine/artifacts.py."""

    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("run_id", "step_id", "port"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(64))
    port: Mapped[str] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(Text)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # explicit: `bytes` below shadows the type
    rows: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class Export(Base):
    """A file a Schedule Export step stored (its bytes live in the export storage under `key`)."""

    __tablename__ = "exports"
    __table_args__ = (Index("ix_exports_run_step", "run_id", "step_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    file_type: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(Text)
    columns: Mapped[list[Any]] = mapped_column(default=list)
    rows: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class OutboxMessage(Base):
    """An email a step produced, kept whether or not it was sent (`status`, `reason`, each attempt)."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("run_id", "step_id", "seq"),
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)  # the message's place among its step's messages
    kind: Mapped[str] = mapped_column(String(10))
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)  # why held, or the server's last answer
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]  # a deliverer's lease while sending; a stale one is taken over
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """One try at sending an outbox message: when, and the server's answer if it failed."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text)


class Charge(Base):
    """Credits spent: one row per analysed conversation; the credits limit sums these."""

    __tablename__ = "charges"
    __table_args__ = (Index("ix_charges_workflow_at", "workflow_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(64))
    conversation_id: Mapped[str] = mapped_column(String(200))
    pipeline_id: Mapped[int] = mapped_column(Integer)
    pipeline_version: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal]
    at: Mapped[datetime]


class Call(Base):
    """Calls against the rolling-24-hour call limit: a trigger firing, or a batch of conversations sent."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_workflow_at", "workflow_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime]


class User(Base):
    """A person who signs in. `integrations`/`teams`/`agents`: data-access rules; NULL means all."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))
    integrations: Mapped[list[Any] | None] = mapped_column(JsonType)
    teams: Mapped[list[Any] | None] = mapped_column(JsonType)
    agents: Mapped[list[Any] | None] = mapped_column(JsonType)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class Credential(Base):
    """A browser session or a personal API token: only a hash of the secret is kept."""

    __tablename__ = "credentials"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "session" | "token"
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    csrf_token: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who published, paused, resumed, changed settings or deleted what, and when."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_workflow_at", "workflow_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    user_id: Mapped[str | None] = mapped_column(String(32))
    user_email: Mapped[str | None] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(40))
    workflow_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
