"""Import conversations from a file or folder into an integration: all or nothing, idempotent by id.

Contract of `import_path`:
- the path is read whole first (native files in SPEC appendix D's format, or a public dataset's
  own layout — `format="auto"` tells them apart, also within a folder of several datasets), and
  every record validated; each bad row becomes an Issue(path="file:line", message=reason);
- a conversation id stored under another integration is a bad row too ("belongs to integration X");
- the same id twice in one import: identical copies count once; differing copies are a bad row in
  native files, while in a dataset (where redistributions repeat conversations) the first copy is
  kept and the later one noted;
- with any bad row and not `skip_bad`, `ImportRefused` (an InvalidInput) lists every one and
  nothing is stored — not even the integration; with `skip_bad` the good records are stored and
  the bad ones reported;
- writing is one transaction; re-importing updates stored conversations, never duplicates them;
- an import is a sync of its integration, like a push or a folder scan: in the same transaction it records a
  sync with its window, counts and the ids it brought, and its Sync Started and Sync Completed events, so the
  integration's sync triggers fire; a refused import of an integration that exists records a failed sync (Sync
  Failed, with the refusal and its first bad rows as the error) — and still stores no conversation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from redflare.adapters.db.conversations import ensure_integration, stored_integrations, upsert_conversations
from redflare.adapters.db.orm import Integration
from redflare.adapters.db.store import Store
from redflare.domain.conversation import Conversation
from redflare.domain.errors import InvalidInput, Issue
from redflare.importing import readers
from redflare.importing.datasets import DATASET_FORMATS, detect
from redflare.importing.readers import NATIVE_SUFFIXES, ReadIssue, ReadItem
from redflare.importing.schema import parse_record, to_domain
from redflare.services import syncs

AUTO = "auto"
NATIVE = "native"
FORMATS = (AUTO, NATIVE, *DATASET_FORMATS)
INTEGRATION_NAME_MAX = 100

ReadFile = Callable[[Path], Iterator[ReadItem]]
FilesRead = Callable[[int, int], None]
"""Told (files read so far, files to read) as an import reads its files."""


@dataclass
class ImportReport:
    """What an import read, stored and rejected."""

    path: str
    integration: str
    formats: list[str] = field(default_factory=list)
    files_read: int = 0
    records_read: int = 0
    inserted: int = 0
    updated: int = 0
    duplicates: int = 0
    bad_rows: list[Issue] = field(default_factory=list)
    notes: list[Issue] = field(default_factory=list)
    stored: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["bad_rows"] = [{"where": i.path, "reason": i.message} for i in self.bad_rows]
        data["notes"] = [{"where": i.path, "note": i.message} for i in self.notes]
        return data


class ImportRefused(InvalidInput):
    """The import found bad rows and stored nothing; `report` says what was read."""

    def __init__(self, message: str, report: ImportReport) -> None:
        super().__init__(message, report.bad_rows)
        self.report = report


@dataclass(frozen=True, slots=True)
class _Planned:
    format: str
    file: Path
    read: ReadFile


@dataclass(frozen=True, slots=True)
class _Kept:
    conversation: Conversation
    where: str


def import_path(
    store: Store,
    path: Path,
    *,
    integration: str,
    format: str = AUTO,
    skip_bad: bool = False,
    now: datetime | None = None,
    on_file: FilesRead | None = None,
) -> ImportReport:
    """Read, validate and store every conversation under `path` into `integration` (see module docstring).

    `on_file(done, total)` is told before the first file and after each file read (the command line's bar)."""
    at = now or datetime.now(UTC)
    integration = integration.strip()
    _check_arguments(path, integration, format)
    report = ImportReport(path=str(path), integration=integration)
    plan = plan_files(path, format)
    if not plan:
        raise InvalidInput(
            f"no conversation files found in {path}",
            [Issue(str(path), "no .json, .jsonl or .csv files, and no dataset this import knows")],
        )
    report.formats = list(dict.fromkeys(p.format for p in plan))
    kept = _read_all(plan, integration, report, on_file or _unwatched)
    with store.transaction() as session:
        owners = stored_integrations(session, ids=kept)
        for conversation_id, owner in owners.items():
            if owner != integration:
                where = kept.pop(conversation_id).where
                report.bad_rows.append(Issue(where, f"id {conversation_id} belongs to integration {owner}"))
        if report.bad_rows and not skip_bad:
            count = len(report.bad_rows)
            refused = ImportRefused(f"{count} bad row(s) in {path}: nothing was imported", report)
            failed_sync = _refusal_text(refused)
        else:
            row = ensure_integration(session, name=integration)
            sync = syncs.start_sync(session, integration_id=row.id, now=at)
            counts = upsert_conversations(
                session, integration_id=row.id, conversations=[k.conversation for k in kept.values()]
            )
            imported = {"received": report.records_read, "imported": counts.inserted, "updated": counts.updated}
            syncs.record_arrivals(session, sync_id=sync.id, counts=imported, arrived=list(kept), integration_id=row.id)
            syncs.complete_sync(session, sync_id=sync.id, integration_id=row.id, now=at)
            failed_sync = None
    if failed_sync is not None:
        _record_failed_sync(store, integration, failed_sync, at, files=_files_of(refused.report.bad_rows))
        raise refused
    report.inserted, report.updated, report.stored = counts.inserted, counts.updated, True
    return report


MAX_ROWS_IN_ERROR = 5


def _refusal_text(refused: ImportRefused) -> str:
    """The failed sync's error: the refusal, then its first bad rows as `file:line: reason`."""
    rows = [f"{issue.path}: {issue.message}" for issue in refused.report.bad_rows[:MAX_ROWS_IN_ERROR]]
    more = len(refused.report.bad_rows) - len(rows)
    return "; ".join([str(refused), *rows, *([f"and {more} more"] if more > 0 else [])])


def _files_of(bad_rows: list[Issue]) -> list[str]:
    """The files bad rows are in (`file:line` → file), each once, in order."""
    files = [
        issue.path.rsplit(":", 1)[0] if issue.path.rsplit(":", 1)[-1].isdigit() else issue.path for issue in bad_rows
    ]
    return list(dict.fromkeys(files))


def _record_failed_sync(store: Store, integration: str, error: str, now: datetime, *, files: list[str]) -> None:
    """A refused import of an existing integration is a failed sync of it (its Sync Failed listeners fire); of a
    new one, nothing is stored at all."""
    with store.transaction() as session:
        row = session.scalar(select(Integration).where(Integration.name == integration))
        if row is None:
            return
        sync = syncs.start_sync(session, integration_id=row.id, now=now)
        syncs.fail_sync(session, sync_id=sync.id, integration_id=row.id, error=error, now=now, files=files)


def _check_arguments(path: Path, integration: str, format: str) -> None:
    if not integration or len(integration) > INTEGRATION_NAME_MAX:
        raise InvalidInput(
            "the integration needs a name", [Issue("integration", f"give 1 to {INTEGRATION_NAME_MAX} characters")]
        )
    if format not in FORMATS:
        raise InvalidInput(f"unknown format {format!r}", [Issue("format", f"use one of {', '.join(FORMATS)}")])
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", [Issue(str(path), "no such file or folder")])


def plan_files(path: Path, format: str = AUTO) -> list[_Planned]:
    """Which files an import of `path` reads, and how: the named format, or detected (`auto`)."""
    if format == NATIVE:
        return [_Planned(NATIVE, f, readers.read_file) for f in readers.files(path)]
    if format != AUTO:
        fmt = DATASET_FORMATS[format]
        return [_Planned(fmt.name, f, fmt.read_file) for f in fmt.files(path)]
    detected = detect(path)
    if detected is not None:
        return [_Planned(detected.name, f, detected.read_file) for f in detected.files(path)]
    if path.is_file():
        return [_Planned(NATIVE, path, readers.read_file)]
    plan: list[_Planned] = []
    # A folder that is no dataset itself may hold several (shared/datasets) beside native files.
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir() or child.suffix.lower() in NATIVE_SUFFIXES:
            plan.extend(plan_files(child, AUTO))
    return plan


def _unwatched(done: int, total: int) -> None:
    return None


def _read_all(plan: list[_Planned], integration: str, report: ImportReport, on_file: FilesRead) -> dict[str, _Kept]:
    kept: dict[str, _Kept] = {}
    on_file(0, len(plan))
    for planned in plan:
        report.files_read += 1
        for item in planned.read(planned.file):
            if isinstance(item, ReadIssue):
                report.bad_rows.append(Issue(item.where, item.message))
                continue
            report.records_read += 1
            parsed = parse_record(item)
            if isinstance(parsed, list):
                report.bad_rows.extend(parsed)
                continue
            conversation = to_domain(parsed, integration)
            earlier = kept.get(conversation.id)
            if earlier is None:
                kept[conversation.id] = _Kept(conversation, item.where)
            elif earlier.conversation == conversation:
                report.duplicates += 1
            elif planned.format != NATIVE:
                report.duplicates += 1
                report.notes.append(Issue(item.where, f"{conversation.id} differs from {earlier.where}: kept that one"))
            else:
                report.bad_rows.append(
                    Issue(item.where, f"id {conversation.id} is also at {earlier.where}, differently")
                )
        on_file(report.files_read, len(plan))
    return kept
