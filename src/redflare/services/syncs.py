"""The lifecycle of an integration's sync, each change written with its event (outbox pattern).

Contract:
- A sync is `running` from `start_sync` until `complete_sync` or `fail_sync`; both end it for good
  (a second end, or a batch added to an ended sync, is `IllegalTransition`).
- Every change emits its event through `sync_events.emit_event` in the caller's session, so the sync
  row and its event commit together or not at all:
    start    → "sync_started"   {integration, integration_id, sync_id, window: {start}}
    complete → "sync_completed" {…, window: {start, end}, conversation_ids, counts}
    fail     → "sync_failed"    {…, window: {start, end}, error, counts}
  A one-shot sync (a pushed batch, a folder scan) starts and ends in one transaction: both events, in order.
- `record_arrivals` adds a batch's counts and the ids that arrived (new or changed) to a running sync;
  `conversation_ids` keeps each id once, in order of arrival.
- `reject_push` records a refused push (bad token) as a sync that failed without starting: only Sync Failed
  is emitted, since nothing was received — at most one per integration per `REJECTION_QUIET`, so a scanner
  guessing tokens cannot flood the events table.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Conversation, Integration, Sync
from redflare.adapters.db.selection import access_clause
from redflare.adapters.db.sync_events import emit_event
from redflare.domain.access import AccessRules
from redflare.domain.errors import IllegalTransition, NotFound

AUTH_FAILED = "authentication failed"
REJECTION_QUIET = timedelta(minutes=1)
COUNT_KEYS = ("received", "imported", "updated", "unchanged")


class SyncStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class SyncInfo:
    """A sync as the API answers it; `window` is its start and (once ended) end."""

    id: str
    integration_id: int
    integration: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]
    conversation_ids: list[str]
    error: str | None

    @property
    def window(self) -> dict[str, str | None]:
        return _window(self.started_at, self.finished_at)


def start_sync(session: Session, *, integration_id: int, now: datetime) -> SyncInfo:
    """A new running sync of the integration, and its Sync Started event."""
    integration = _integration(session, integration_id)
    sync = _new_sync(session, integration, now)
    _emit(session, "sync_started", sync, integration, window={"start": _iso(now)})
    return _info(sync, integration.name)


def record_arrivals(
    session: Session, *, sync_id: str, counts: Mapping[str, int], arrived: Iterable[str], integration_id: int
) -> SyncInfo:
    """Add one batch's counts and arrived ids to a running sync (locked, so concurrent batches add up)."""
    sync = _locked(session, sync_id, integration_id)
    _must_be_running(sync, "take a batch")
    totals = dict(sync.counts or {})
    for key, value in counts.items():
        totals[key] = int(totals.get(key, 0)) + int(value)
    # Reassigned, not mutated: the JSON columns are not mutation-tracked.
    sync.counts = totals
    sync.conversation_ids = list(dict.fromkeys([*(sync.conversation_ids or []), *arrived]))
    session.flush()
    return _info(sync, _integration(session, sync.integration_id).name)


def complete_sync(session: Session, *, sync_id: str, integration_id: int, now: datetime) -> SyncInfo:
    """End a running sync as completed, with its Sync Completed event (window and arrived ids)."""
    sync = _locked(session, sync_id, integration_id)
    _must_be_running(sync, "complete")
    sync.status, sync.finished_at = SyncStatus.COMPLETED, now
    session.flush()
    integration = _integration(session, sync.integration_id)
    _emit(
        session,
        "sync_completed",
        sync,
        integration,
        window=_window(sync.started_at, now),
        conversation_ids=list(sync.conversation_ids or []),
        counts=dict(sync.counts or {}),
    )
    return _info(sync, integration.name)


def fail_sync(
    session: Session, *, sync_id: str, integration_id: int, error: str, now: datetime, files: Sequence[str] = ()
) -> SyncInfo:
    """End a running sync as failed with `error` (and the `files` it names, when it was read from files), with its
    Sync Failed event."""
    sync = _locked(session, sync_id, integration_id)
    _must_be_running(sync, "fail")
    return _failed(session, sync, error=error, now=now, files=files)


def reject_push(session: Session, *, integration_id: int, now: datetime) -> SyncInfo | None:
    """Record a push refused for its token as a failed sync (Sync Failed only), unless one was recorded
    for this integration within `REJECTION_QUIET`; answers the recorded sync, or None when quiet."""
    # The integration row's lock makes two refused pushes at once on PostgreSQL take turns on the check.
    integration = _integration(session, integration_id, lock=True)
    recent = session.scalar(
        select(Sync.id)
        .where(
            Sync.integration_id == integration.id,
            Sync.error == AUTH_FAILED,
            Sync.started_at > now - REJECTION_QUIET,
        )
        .limit(1)
    )
    if recent is not None:
        return None
    sync = _new_sync(session, integration, now)
    return _failed(session, sync, error=AUTH_FAILED, now=now)


def get_sync(session: Session, *, integration_id: int, sync_id: str) -> SyncInfo:
    """One sync of the integration; NotFound when it does not exist or belongs to another integration."""
    sync = session.get(Sync, sync_id)
    if sync is None or sync.integration_id != integration_id:
        raise NotFound(f"no sync {sync_id!r} of integration {integration_id}")
    return _info(sync, _integration(session, integration_id).name)


def list_syncs(
    session: Session, *, integration_id: int, access: AccessRules, limit: int = 50, offset: int = 0
) -> list[SyncInfo]:
    """The integration's syncs, newest first, as `access` may see them.

    An integration outside the rules is NotFound; `conversation_ids` keeps only the conversations the rules
    allow (a team-restricted viewer learns nothing of other teams' ids).
    """
    integration = _integration(session, integration_id)
    if access.integrations is not None and integration.name not in access.integrations:
        raise NotFound(f"no integration {integration_id}")
    rows = list(
        session.scalars(
            select(Sync)
            .where(Sync.integration_id == integration_id)
            .order_by(Sync.started_at.desc(), Sync.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    infos = [_info(row, integration.name) for row in rows]
    clause = access_clause(AccessRules(teams=access.teams, agents=access.agents))
    if clause is None:
        return infos
    every = {i for info in infos for i in info.conversation_ids}
    query = select(Conversation.id).where(Conversation.id.in_(every), clause)
    visible = set(session.scalars(query)) if every else set()
    return [replace(info, conversation_ids=[i for i in info.conversation_ids if i in visible]) for info in infos]


def last_started(session: Session, *, integration_id: int) -> datetime | None:
    """When the integration's newest sync started, if it ever had one."""
    return session.scalar(
        select(Sync.started_at).where(Sync.integration_id == integration_id).order_by(Sync.started_at.desc()).limit(1)
    )


def _new_sync(session: Session, integration: Integration, now: datetime) -> Sync:
    sync = Sync(
        id=uuid.uuid4().hex,
        integration_id=integration.id,
        status=SyncStatus.RUNNING,
        started_at=now,
        finished_at=None,
        counts=dict.fromkeys(COUNT_KEYS, 0),
        conversation_ids=[],
        error=None,
    )
    session.add(sync)
    session.flush()
    return sync


def _failed(session: Session, sync: Sync, *, error: str, now: datetime, files: Sequence[str] = ()) -> SyncInfo:
    sync.status, sync.finished_at, sync.error = SyncStatus.FAILED, now, error
    session.flush()
    integration = _integration(session, sync.integration_id)
    _emit(
        session,
        "sync_failed",
        sync,
        integration,
        window=_window(sync.started_at, now),
        error=error,
        counts=dict(sync.counts or {}),
        **({"files": list(files)} if files else {}),
    )
    return _info(sync, integration.name)


def _emit(session: Session, type: str, sync: Sync, integration: Integration, **payload: Any) -> None:
    emit_event(
        session,
        type=type,
        integration_id=integration.id,
        sync_id=sync.id,
        payload={"integration": integration.name, "integration_id": integration.id, "sync_id": sync.id, **payload},
        now=sync.finished_at or sync.started_at,
    )


def _integration(session: Session, integration_id: int, *, lock: bool = False) -> Integration:
    query = select(Integration).where(Integration.id == integration_id)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(f"no integration {integration_id}")
    return found


def _locked(session: Session, sync_id: str, integration_id: int) -> Sync:
    # FOR UPDATE on PostgreSQL (SQLite's writers already hold the database lock): batches add up, one end wins.
    sync = session.scalar(select(Sync).where(Sync.id == sync_id).with_for_update())
    if sync is None or sync.integration_id != integration_id:
        raise NotFound(f"no sync {sync_id!r} of integration {integration_id}")
    return sync


def _must_be_running(sync: Sync, action: str) -> None:
    if sync.status != SyncStatus.RUNNING:
        raise IllegalTransition(f"cannot {action} sync {sync.id}: it is already {sync.status}")


def _info(sync: Sync, integration: str) -> SyncInfo:
    return SyncInfo(
        id=sync.id,
        integration_id=sync.integration_id,
        integration=integration,
        status=sync.status,
        started_at=sync.started_at,
        finished_at=sync.finished_at,
        counts=dict(sync.counts or {}),
        conversation_ids=[str(i) for i in sync.conversation_ids or []],
        error=sync.error,
    )


def _window(start: datetime, end: datetime | None) -> dict[str, str | None]:
    window = {"start": _iso(start)}
    return window if end is None else {**window, "end": _iso(end)}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
