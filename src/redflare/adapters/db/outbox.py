"""Repository of the email outbox: messages written with their step's result, claimed and settled by deliverers.

Claiming is a conditional UPDATE (`… WHERE status = 'pending'`, or a `sending` whose lease ran out), so two
deliverers — two server processes, or a server and `redflare run` — never send the same message at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, or_, select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import DeliveryAttempt, OutboxMessage, Run
from redflare.domain.delivery import NOT_SENT_CANCELLED, MessageStatus, OutgoingMessage
from redflare.domain.errors import NotFound
from redflare.domain.runs import RunStatus


def add_messages(
    session: Session,
    *,
    run_id: str,
    workflow_id: str,
    step_id: str,
    messages: Sequence[OutgoingMessage],
    status: MessageStatus,
    reason: str | None,
    now: datetime,
) -> list[str]:
    """Put a step's messages in the outbox; answers their ids in order.

    A re-run of the step writes the same (run, step, place) again: a message already sent is kept as it
    is (never sent twice); any other is replaced by the new one and starts its tries afresh.
    """
    existing = {
        row.seq: row
        for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.run_id == run_id, OutboxMessage.step_id == step_id)
        )
    }
    ids = []
    for seq, message in enumerate(messages):
        row = existing.get(seq)
        if row is not None and row.status == MessageStatus.SENT:
            ids.append(row.id)
            continue
        if row is None:
            row = OutboxMessage(
                id=uuid.uuid4().hex, run_id=run_id, workflow_id=workflow_id, step_id=step_id, seq=seq, created_at=now
            )
            session.add(row)
        row.kind = message.kind
        row.recipients = list(message.recipients)
        row.subject = message.subject
        row.text = message.text
        row.html = message.html
        row.status = str(status)
        row.reason = reason
        row.attempts = 0
        row.next_attempt_at = now if status is MessageStatus.PENDING else None
        row.claimed_until = None
        row.sent_at = None
        ids.append(row.id)
    session.flush()
    return ids


@dataclass(frozen=True)
class Settled:
    """Where a step's messages stand: still going, or all settled (and which failed, with the server's answer)."""

    waiting: int
    failed: list[tuple[list[str], str]]


def step_delivery(session: Session, *, run_id: str, step_id: str) -> Settled:
    rows = session.execute(
        select(OutboxMessage.status, OutboxMessage.recipients, OutboxMessage.reason).where(
            OutboxMessage.run_id == run_id, OutboxMessage.step_id == step_id
        )
    ).all()
    waiting = sum(1 for status, _, _ in rows if status in (MessageStatus.PENDING, MessageStatus.SENDING))
    failed = [(list(to), reason or "not sent") for status, to, reason in rows if status == MessageStatus.FAILED]
    return Settled(waiting=waiting, failed=failed)


def hold_unsent(session: Session, *, run_id: str, reason: str) -> int:
    """Keep a run's unsent messages from going out (its run was cancelled); answers how many."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.run_id == run_id, OutboxMessage.status == str(MessageStatus.PENDING))
        .values(status=str(MessageStatus.HELD), reason=reason, next_attempt_at=None),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def release_claims(session: Session, *, run_id: str, now: datetime) -> int:
    """A run's messages claimed for sending by a deliverer that is gone go back to pending, due now; answers how
    many. Only for a run whose process is known to be dead (recovery): a live deliverer's claim is its own."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.run_id == run_id, OutboxMessage.status == str(MessageStatus.SENDING))
        .values(status=str(MessageStatus.PENDING), claimed_until=None, next_attempt_at=now),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def claim_due(session: Session, *, now: datetime, lease: timedelta, limit: int = 20) -> list[OutboxMessage]:
    """Take up to `limit` messages due for a try: pending ones whose time has come, and abandoned sends.

    Each is moved to `sending` with a lease until `now + lease`; one another deliverer took first is skipped.
    """
    due = or_(
        and_(OutboxMessage.status == str(MessageStatus.PENDING), OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == str(MessageStatus.SENDING), OutboxMessage.claimed_until < now),
    )
    candidates = session.execute(
        select(OutboxMessage.id, OutboxMessage.status)
        .join(Run, Run.id == OutboxMessage.run_id)
        .where(due, Run.status != str(RunStatus.CANCELLED))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.created_at)
        .limit(limit)
        # On PostgreSQL a second deliverer skips the rows the first is claiming instead of queueing behind
        # them, so both work at once (SQLite has one writer anyway and ignores this).
        .with_for_update(skip_locked=True, of=OutboxMessage)
    ).all()
    claimed = []
    for message_id, status in candidates:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == status, due)
            .values(status=str(MessageStatus.SENDING), claimed_until=now + lease),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(message_id)
    session.flush()
    if not claimed:
        return []
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).execution_options(populate_existing=True)
    )
    return sorted(rows, key=lambda row: claimed.index(row.id))


_SENDABLE_AGAIN = (str(MessageStatus.HELD), str(MessageStatus.FAILED))


def _requeued(now: datetime) -> dict[str, object]:
    """A message back to `pending`, due now, with a fresh round of attempts (the old ones stay on record)."""
    return {
        "status": str(MessageStatus.PENDING),
        "next_attempt_at": now,
        "attempts": 0,
        "reason": None,
        "claimed_until": None,
    }


def requeue(session: Session, *, message_id: str, now: datetime) -> bool:
    """A held or failed message back to `pending` (`_requeued`); False when the message is in any other status
    (sent, or already waiting or being sent)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(_SENDABLE_AGAIN))
        .values(**_requeued(now)),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def requeue_held(session: Session, *, reason: str, workflows: Select[Any], now: datetime) -> dict[str, int]:
    """Every message held for `reason` in these workflows (a query of their ids), its run not cancelled, back to
    `pending` (`_requeued`) in one statement; answers how many per workflow."""
    live_runs = select(Run.id).where(Run.status != str(RunStatus.CANCELLED))
    queued: dict[str, int] = {}
    for (workflow_id,) in session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == str(MessageStatus.HELD),
            OutboxMessage.reason == reason,
            OutboxMessage.workflow_id.in_(workflows),
            OutboxMessage.run_id.in_(live_runs),
        )
        .values(**_requeued(now))
        .returning(OutboxMessage.workflow_id),
        execution_options={"synchronize_session": False},
    ):
        queued[workflow_id] = queued.get(workflow_id, 0) + 1
    return queued


def record_attempt(
    session: Session,
    *,
    message_id: str,
    now: datetime,
    error: str | None,
    retry_at: datetime | None,
) -> MessageStatus:
    """Settle one try: sent (no error), pending again until `retry_at`, or failed (an error and no retry).

    Only a message this deliverer still holds (`sending`) moves; answers its status after. A message whose
    run was cancelled while it was being sent is held rather than tried again.
    """
    if error is not None and retry_at is not None:
        run_state = session.scalar(
            select(Run.status).join(OutboxMessage, OutboxMessage.run_id == Run.id).where(OutboxMessage.id == message_id)
        )
        if run_state == str(RunStatus.CANCELLED):
            held: dict[str, object] = {"status": str(MessageStatus.HELD), "next_attempt_at": None}
            held["reason"] = NOT_SENT_CANCELLED
            return _settle(session, message_id, now, held, attempt_error=error)
    values: dict[str, object]
    if error is None:
        values = {"status": str(MessageStatus.SENT), "sent_at": now, "reason": None}
    elif retry_at is not None:
        values = {"status": str(MessageStatus.PENDING), "next_attempt_at": retry_at, "reason": error}
    else:
        values = {"status": str(MessageStatus.FAILED), "next_attempt_at": None, "reason": error}
    return _settle(session, message_id, now, values, attempt_error=error)


def _settle(
    session: Session, message_id: str, now: datetime, values: dict[str, object], *, attempt_error: str | None
) -> MessageStatus:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == str(MessageStatus.SENDING))
        .values(attempts=OutboxMessage.attempts + 1, claimed_until=None, **values),
        execution_options={"synchronize_session": False},
    )
    session.add(DeliveryAttempt(message_id=message_id, at=now, ok=attempt_error is None, error=attempt_error))
    session.flush()
    status = session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == message_id))
    if status is None:
        raise NotFound(f"no outbox message {message_id!r}")
    return MessageStatus(status)


def messages_of_run(session: Session, run_id: str) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.run_id == run_id)
            .order_by(OutboxMessage.step_id, OutboxMessage.seq)
        )
    )


def attempts_of(session: Session, message_ids: Sequence[str]) -> dict[str, list[DeliveryAttempt]]:
    found: dict[str, list[DeliveryAttempt]] = {message_id: [] for message_id in message_ids}
    if not message_ids:
        return found
    rows = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.message_id.in_(message_ids)).order_by(DeliveryAttempt.id)
    )
    for attempt in rows:
        found[attempt.message_id].append(attempt)
    return found
