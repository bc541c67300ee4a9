"""The folder integration: each scan of `config.path` imports the files that are new, as one sync.

Contract:
- A file is new unless an IntegrationFile row of this integration has its name, size and mtime_ns: a file
  imported once is not read again until it changes (then it is read whole again; changed conversations
  arrive as updated, identical ones are unchanged).
- A scan with new files is one sync (Sync Started, then Completed or Failed). A scan that finds nothing
  new records no sync and emits nothing — otherwise every quiet interval would start every "after each
  sync" workflow on an empty set; the scan time is kept as `config.scanned_at`, which paces the schedule.
- Any bad file (unreadable, malformed, a bad row, an id of another integration) fails the sync with
  the reasons; nothing is stored. The bad files are recorded, so they are retried only when they change;
  the good files of that scan stay new and arrive with the next scan.
- An audio file no conversation refers to: when stored conversations of the integration refer to it (the
  recording was replaced) they arrive as updated; otherwise it becomes a call of its own, with id
  "<integration>:<its path without suffix, '/' as ':'>", to be transcribed by the pipeline.
- The schedule: every `config.every_minutes` (default 5) since the last sync or scan (`due_folder_integrations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration, IntegrationFile, Sync
from redflare.adapters.db.store import Store
from redflare.domain.conversation import Channel, Conversation
from redflare.domain.errors import Conflict, Issue, NotFound
from redflare.importing.schema import ID_MAX
from redflare.integrations.arrivals import foreign_ids, store_arrivals
from redflare.integrations.folder_files import FolderFile, FolderRead, find_files, read_files
from redflare.services import syncs
from redflare.services.syncs import SyncInfo

DEFAULT_EVERY_MINUTES = 5
SCANNED_AT_KEY = "scanned_at"
ERROR_REASONS = 10  # reasons spelled out in a failed sync's error; the rest are counted


@dataclass(frozen=True)
class _Scan:
    folder: Path
    files: list[FolderFile]
    read: FolderRead | None  # None when the folder cannot be listed
    error: str | None = None


def sync_folder(store: Store, integration_id: int, now: datetime) -> SyncInfo | None:
    """Scan the folder integration now, in transactions of its own (for the scheduler): the files are read
    outside any transaction; answers the sync, or None when nothing was new."""
    with store.read() as session:
        integration = _folder_integration(session, integration_id)
        scan = _scan(integration, _known(session, integration_id))
    with store.transaction() as session:
        return _record(session, integration_id, scan, now)


def scan_folder(session: Session, integration_id: int, now: datetime) -> SyncInfo | None:
    """`sync_folder` within the caller's transaction ("Sync now" from a request)."""
    integration = _folder_integration(session, integration_id)
    return _record(session, integration_id, _scan(integration, _known(session, integration_id)), now)


def due_folder_integrations(session: Session, now: datetime) -> list[int]:
    """The folder integrations whose last sync or scan is at least `config.every_minutes` old, or never was."""
    latest = dict(
        session.execute(select(Sync.integration_id, func.max(Sync.started_at)).group_by(Sync.integration_id)).all()
    )
    due = []
    for integration in session.scalars(
        select(Integration).where(Integration.kind == "folder").order_by(Integration.id)
    ):
        moments = [m for m in (latest.get(integration.id), _scanned_at(integration.config or {})) if m is not None]
        if not moments or now - max(moments) >= timedelta(minutes=every_minutes(integration.config or {})):
            due.append(integration.id)
    return due


def every_minutes(config: dict[str, Any]) -> float:
    """The folder's scan interval in minutes: `config.every_minutes` when a positive number, else the default."""
    value = config.get("every_minutes")
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return float(value) if ok else DEFAULT_EVERY_MINUTES  # type: ignore[arg-type]


def _folder_integration(session: Session, integration_id: int, *, lock: bool = False) -> Integration:
    query = select(Integration).where(Integration.id == integration_id)
    integration = session.scalar(query.with_for_update() if lock else query)
    if integration is None:
        raise NotFound(f"no integration {integration_id}")
    if integration.kind != "folder":
        raise Conflict(f"integration {integration.name!r} is a {integration.kind} integration: it has no folder")
    return integration


def _known(session: Session, integration_id: int) -> set[tuple[str, int, int]]:
    rows = session.execute(
        select(IntegrationFile.name, IntegrationFile.size, IntegrationFile.mtime_ns).where(
            IntegrationFile.integration_id == integration_id
        )
    )
    return {(name, size, mtime) for name, size, mtime in rows}


def _scan(integration: Integration, known: set[tuple[str, int, int]]) -> _Scan:
    folder = Path(str((integration.config or {}).get("path", "")))
    if not folder.is_dir():
        return _Scan(folder, [], None, f"the folder {folder} does not exist or is not a folder")
    try:
        new = [f for f in find_files(folder) if f.key not in known]
    except OSError as exc:
        return _Scan(folder, [], None, f"the folder {folder} cannot be read: {exc.strerror or exc}")
    return _Scan(folder, new, read_files(folder, new, integration.name))


def _record(session: Session, integration_id: int, scan: _Scan, now: datetime) -> SyncInfo | None:
    # The integration's lock makes a scheduled scan and a "Sync now" take turns; files the other one
    # recorded meanwhile are dropped here, so no file is imported twice.
    integration = _folder_integration(session, integration_id, lock=True)
    integration.config = {**(integration.config or {}), SCANNED_AT_KEY: now.isoformat()}
    if scan.read is None:
        sync = syncs.start_sync(session, integration_id=integration.id, now=now)
        return syncs.fail_sync(session, sync_id=sync.id, integration_id=integration.id, error=scan.error or "", now=now)
    known = _known(session, integration.id)
    files = [f for f in scan.files if f.key not in known]
    if not files:
        return None
    read = scan.read
    for conversation_id, owner in foreign_ids(
        session, integration=integration.name, ids=list(read.conversations)
    ).items():
        source = read.sources[conversation_id]
        read.bad.setdefault(source, []).append(Issue(source, f"id {conversation_id} belongs to integration {owner}"))
    sync = syncs.start_sync(session, integration_id=integration.id, now=now)
    if read.bad:
        bad = [f for f in files if f.name in read.bad]
        _remember(session, integration.id, bad, sync.id, now)
        syncs.record_arrivals(
            session, sync_id=sync.id, counts={"received": read.records}, arrived=[], integration_id=integration.id
        )
        return syncs.fail_sync(
            session,
            sync_id=sync.id,
            integration_id=integration.id,
            error=_failure(read),
            now=now,
            files=[str(path) for path in read.bad],
        )
    conversations = [c for c in read.conversations.values() if read.sources[c.id] in {f.name for f in files}]
    replaced, standalone = _audio(session, integration, read.orphan_audio(files))
    arrivals = store_arrivals(session, integration=integration, conversations=[*conversations, *standalone], now=now)
    counts = {**arrivals.counts, "updated": arrivals.updated + len(replaced), "files": len(files)}
    _remember(session, integration.id, files, sync.id, now)
    syncs.record_arrivals(
        session, sync_id=sync.id, counts=counts, arrived=[*arrivals.ids, *replaced], integration_id=integration.id
    )
    return syncs.complete_sync(session, sync_id=sync.id, integration_id=integration.id, now=now)


def _audio(
    session: Session, integration: Integration, orphans: list[FolderFile]
) -> tuple[list[str], list[Conversation]]:
    """Orphan audio files: the ids of stored conversations they replace the recording of, and new calls."""
    replaced: list[str] = []
    standalone: list[Conversation] = []
    for file in orphans:
        path = str(file.path.resolve())
        referring = list(
            session.scalars(
                select(ConversationRow.id).where(
                    ConversationRow.integration_id == integration.id, ConversationRow.audio == path
                )
            )
        )
        if referring:
            replaced.extend(referring)
            continue
        stem = file.name.rsplit(".", 1)[0].replace("/", ":")
        conversation_id = f"{integration.name}:{stem}"[:ID_MAX]
        standalone.append(
            Conversation(
                id=conversation_id,
                integration=integration.name,
                channel=Channel.CALL,
                audio=path,
                metadata={"file": file.name},
            )
        )
    return list(dict.fromkeys(replaced)), standalone


def _remember(session: Session, integration_id: int, files: list[FolderFile], sync_id: str, now: datetime) -> None:
    for file in files:
        session.add(
            IntegrationFile(
                integration_id=integration_id,
                name=file.name,
                size=file.size,
                mtime_ns=file.mtime_ns,
                sync_id=sync_id,
                imported_at=now,
            )
        )
    session.flush()


def _failure(read: FolderRead) -> str:
    reasons = [str(issue) for issues in read.bad.values() for issue in issues]
    shown = "; ".join(reasons[:ERROR_REASONS])
    more = f"; and {len(reasons) - ERROR_REASONS} more" if len(reasons) > ERROR_REASONS else ""
    return f"{len(read.bad)} bad file(s), nothing imported: {shown}{more}"


def _scanned_at(config: dict[str, Any]) -> datetime | None:
    value = config.get(SCANNED_AT_KEY)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
