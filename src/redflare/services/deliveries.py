"""What a run delivered: each step's exports and outbox messages as the run resource shows them, and the
outbox across workflows (`GET /outbox`), limited to the workflows the user may see; and sending a held or
failed message again (`POST /outbox/{id}/send`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.exports import exports_of_run
from redflare.adapters.db.orm import DeliveryAttempt, Export, OutboxMessage, Run, Workflow
from redflare.adapters.db.outbox import attempts_of, messages_of_run, requeue, requeue_held
from redflare.adapters.exportfiles.links import ExportLinks
from redflare.domain.delivery import NOT_SENT_NO_SMTP, TEST_RUN_SENDS_NOTHING, may_send_again
from redflare.domain.errors import Conflict, IllegalTransition, NotFound
from redflare.domain.runs import RunStatus
from redflare.services import audit
from redflare.services.times import iso
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflow_list import visible_clause


def export_resource(row: Export, links: ExportLinks | None = None) -> dict[str, Any]:
    """An export as the run shows it; with `links`, a freshly signed `download_url`."""
    resource: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "file_type": row.file_type,
        "columns": list(row.columns),
        "rows": row.rows,
        "bytes": row.bytes,
        "created_at": iso(row.created_at),
    }
    if links is not None:
        resource["download_url"] = links.url(row.id)
    return resource


def message_resource(row: OutboxMessage, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": row.id,
        "run_id": row.run_id,
        "workflow_id": row.workflow_id,
        "step_id": row.step_id,
        "kind": row.kind,
        "to": list(row.recipients),
        "subject": row.subject,
        "text": row.text,
        "html": row.html,
        "status": row.status,
        "reason": row.reason,
        "sendable": may_send_again(row.status, row.reason),
        "attempts": [{"at": iso(a.at), "ok": a.ok, "error": a.error} for a in attempts],
        # When a message waiting to be retried is tried next (null once sent, failed for good or held).
        "next_attempt_at": iso(row.next_attempt_at) if row.status == "pending" else None,
        "created_at": iso(row.created_at),
        "sent_at": iso(row.sent_at),
    }


def step_deliveries(
    session: Session, run_id: str, links: ExportLinks | None = None
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per step id: its `exports` and its outbox `messages` (each with every delivery attempt)."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for export in exports_of_run(session, run_id):
        found.setdefault(export.step_id, {"exports": [], "messages": []})["exports"].append(
            export_resource(export, links)
        )
    messages = messages_of_run(session, run_id)
    attempts = attempts_of(session, [m.id for m in messages])
    for message in messages:
        found.setdefault(message.step_id, {"exports": [], "messages": []})["messages"].append(
            message_resource(message, attempts[message.id])
        )
    return found


@dataclass(frozen=True)
class OutboxPage:
    data: list[dict[str, Any]]
    count: int


def list_outbox(
    session: Session,
    *,
    principal: Principal,
    workflow_id: str | None = None,
    run_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> OutboxPage:
    """Outbox messages, newest first, of the workflows this user may see (one named: NotFound if not visible), each
    with its run's number and its workflow's name."""
    if workflow_id is not None:
        where: list[ColumnElement[bool]] = [
            OutboxMessage.workflow_id == visible_workflow(session, principal, workflow_id).id
        ]
    else:  # may_see as SQL: one query, not one look-up per workflow
        where = [OutboxMessage.workflow_id.in_(select(Workflow.id).where(visible_clause(session, principal)))]
    if run_id is not None:
        where.append(OutboxMessage.run_id == run_id)
    if status is not None:
        where.append(OutboxMessage.status == status)
    count = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(*where)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id)
            .limit(limit)
            .offset(offset)
        )
    )
    attempts = attempts_of(session, [row.id for row in rows])
    # The outbox page names each message's workflow and run: one query for the page's, not one per message.
    runs = {
        run_id: (number, name)
        for run_id, number, name in session.execute(
            select(Run.id, Run.number, Workflow.name)
            .join(Workflow, Workflow.id == Run.workflow_id)
            .where(Run.id.in_({row.run_id for row in rows}))
        )
    }
    data = []
    for row in rows:
        number, name = runs.get(row.run_id, (None, None))
        data.append(message_resource(row, attempts[row.id]) | {"run_number": number, "workflow_name": name})
    return OutboxPage(data, count)


NO_SMTP_TO_SEND = "no SMTP server is configured: set REDFLARE_SMTP_HOST and restart RedFlare to send it"
SEND_AGAIN_ACTION = "outbox.send_again"


def send_again(
    session: Session, *, principal: Principal, message_id: str, now: datetime, smtp_configured: bool
) -> dict[str, Any]:
    """Queue a held or failed message to be sent now, with a fresh round of attempts; answers the message.

    What it is for: messages held because no SMTP server was configured when their run made them (they are
    never sent on their own), or a message that failed for a reason since mended. A test run's messages are
    never sent: they show what a real run would send. NotFound outside the user's workflows; Conflict without
    SMTP; IllegalTransition for a message of a test run or a cancelled run, or one that is not held or failed.
    Recorded in the workflow's audit log.
    """
    row = session.get(OutboxMessage, message_id)
    if row is None:
        raise NotFound(f"no outbox message {message_id!r}")
    visible_workflow(session, principal, row.workflow_id)
    if not smtp_configured:
        raise Conflict(NO_SMTP_TO_SEND)
    run_status, test = session.execute(select(Run.status, Run.test).where(Run.id == row.run_id)).one()
    if test:
        raise IllegalTransition(TEST_RUN_SENDS_NOTHING)
    if run_status == str(RunStatus.CANCELLED):
        raise IllegalTransition("its run was cancelled: the messages of a cancelled run are not sent")
    was = row.status
    if not requeue(session, message_id=row.id, now=now):
        raise IllegalTransition(f"a {was} message is not sent again: only held or failed ones are")
    audit.record(
        session,
        principal=principal,
        action=SEND_AGAIN_ACTION,
        workflow_id=row.workflow_id,
        detail={"message_id": row.id, "run_id": row.run_id, "step_id": row.step_id, "was": was},
        now=now,
    )
    session.refresh(row)
    return message_resource(row, attempts_of(session, [row.id])[row.id])


SEND_HELD_ACTION = "outbox.send_held"


def send_held_without_smtp(session: Session, *, principal: Principal, now: datetime, smtp_configured: bool) -> int:
    """Queue every message held because no SMTP server was configured when its run made it, in the workflows this
    user may see (a cancelled run's stay held; a test run's held alerts are left to `send_again`, one by one).
    Answers how many were queued; Conflict while there is still no SMTP server. One audit entry per workflow."""
    if not smtp_configured:
        raise Conflict(NO_SMTP_TO_SEND)
    visible = select(Workflow.id).where(visible_clause(session, principal))
    queued = requeue_held(session, reason=NOT_SENT_NO_SMTP, workflows=visible, now=now)
    for workflow_id, count in sorted(queued.items()):
        audit.record(
            session,
            principal=principal,
            action=SEND_HELD_ACTION,
            workflow_id=workflow_id,
            detail={"messages": count},
            now=now,
        )
    return sum(queued.values())
