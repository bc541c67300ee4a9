"""The push integration: a source sends batches of appendix-D conversations, authenticated by the
integration's own token; each batch is validated whole and stored into one sync.

Contract:
- `validate_batch` checks every conversation and answers them as domain conversations, or raises
  `InvalidInput` listing each problem as `conversations[i].field: reason` — then nothing is stored and no
  sync is recorded. Besides appendix D's rules: the same id twice with different content, and an id that
  belongs to another integration, are problems too. `audio` paths are read relative to the
  integration's `config.audio_dir`; without one a pushed conversation cannot reference audio.
- `push_batch` is a one-shot sync: started, the batch stored, completed — both events, one transaction.
- `open_sync` / `add_batch` / `complete` / `fail` are the explicit pair for long pushes; a bad batch
  leaves the running sync as it was (the source may resend it, or fail the sync).
- `push_integration` answers the integration to push to: NotFound if none, Conflict if not a push one.
  `token_accepted` checks the presented token; the caller records a refusal with `services.syncs.reject_push`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from redflare.adapters.db.orm import Integration
from redflare.domain.conversation import Conversation
from redflare.domain.errors import Conflict, InvalidInput, Issue, NotFound
from redflare.domain.loading import format_loc
from redflare.importing.schema import ConversationRecord, to_domain
from redflare.integrations.arrivals import foreign_ids, store_arrivals
from redflare.services import syncs
from redflare.services.catalog import push_token_matches
from redflare.services.syncs import SyncInfo

MAX_BATCH = 5_000
AUDIO_DIR_KEY = "audio_dir"


def push_integration(session: Session, integration_id: int) -> Integration:
    """The push integration `integration_id`; NotFound when missing, Conflict when it is another kind."""
    integration = session.scalar(select(Integration).where(Integration.id == integration_id))
    if integration is None:
        raise NotFound(f"no integration {integration_id}")
    if integration.kind != "push":
        raise Conflict(f"integration {integration.name!r} is a {integration.kind} integration: it takes no pushes")
    return integration


def token_accepted(integration: Integration, authorization: str | None) -> bool:
    """Whether an `Authorization: Bearer <token>` header carries this integration's push token."""
    if not authorization or not authorization.lower().startswith("bearer "):
        return False
    return push_token_matches(integration.config or {}, authorization[7:].strip())


def validate_batch(session: Session, integration: Integration, items: Sequence[Any]) -> list[Conversation]:
    """Every item as a domain conversation of `integration`, or InvalidInput listing every problem."""
    if len(items) > MAX_BATCH:
        raise InvalidInput(
            f"{len(items)} conversations in one batch", [Issue("conversations", f"send at most {MAX_BATCH} a batch")]
        )
    audio_dir = (integration.config or {}).get(AUDIO_DIR_KEY)
    issues: list[Issue] = []
    kept: dict[str, tuple[int, Conversation]] = {}
    for index, item in enumerate(items):
        where = f"conversations[{index}]"
        if not isinstance(item, dict):
            issues.append(Issue(where, "expected a conversation object"))
            continue
        if item.get("audio") is not None and not isinstance(audio_dir, str):
            issues.append(Issue(f"{where}.audio", "this integration has no config.audio_dir to read audio from"))
            continue
        try:
            record = ConversationRecord.model_validate(item, context={"base_dir": Path(audio_dir or ".")})
        except ValidationError as exc:
            issues.extend(_issues(where, exc))
            continue
        conversation = to_domain(record, integration.name)
        earlier = kept.get(conversation.id)
        if earlier is None:
            kept[conversation.id] = (index, conversation)
        elif earlier[1] != conversation:
            issues.append(Issue(f"{where}.id", f"{conversation.id} is also conversations[{earlier[0]}], differently"))
    for conversation_id, owner in sorted(foreign_ids(session, integration=integration.name, ids=list(kept)).items()):
        index = kept[conversation_id][0]
        issues.append(Issue(f"conversations[{index}].id", f"{conversation_id} belongs to integration {owner}"))
    if issues:
        raise InvalidInput(f"{len(issues)} problem(s) in the batch: nothing was stored", issues)
    return [conversation for _, conversation in kept.values()]


def push_batch(session: Session, *, integration_id: int, items: Sequence[Any], now: datetime) -> SyncInfo:
    """One pushed batch as one sync: validated whole, then started, stored and completed."""
    integration = push_integration(session, integration_id)
    conversations = validate_batch(session, integration, items)
    sync = syncs.start_sync(session, integration_id=integration.id, now=now)
    _store(session, integration, sync.id, conversations, len(items), now)
    return syncs.complete_sync(session, sync_id=sync.id, integration_id=integration.id, now=now)


def open_sync(session: Session, *, integration_id: int, now: datetime) -> SyncInfo:
    """Start a sync that batches will be added to (Sync Started)."""
    integration = push_integration(session, integration_id)
    return syncs.start_sync(session, integration_id=integration.id, now=now)


def add_batch(session: Session, *, integration_id: int, sync_id: str, items: Sequence[Any], now: datetime) -> SyncInfo:
    """Validate and store one batch into the running sync `sync_id`."""
    integration = push_integration(session, integration_id)
    current = syncs.get_sync(session, integration_id=integration.id, sync_id=sync_id)
    if current.status != syncs.SyncStatus.RUNNING:
        raise Conflict(f"sync {sync_id} is already {current.status}: start a new one")
    conversations = validate_batch(session, integration, items)
    return _store(session, integration, sync_id, conversations, len(items), now)


def complete(session: Session, *, integration_id: int, sync_id: str, now: datetime) -> SyncInfo:
    """End the running sync as completed (Sync Completed, with every id its batches brought)."""
    integration = push_integration(session, integration_id)
    return syncs.complete_sync(session, sync_id=sync_id, integration_id=integration.id, now=now)


def fail(session: Session, *, integration_id: int, sync_id: str, error: str, now: datetime) -> SyncInfo:
    """End the running sync as failed with the source's reason (Sync Failed)."""
    integration = push_integration(session, integration_id)
    return syncs.fail_sync(session, sync_id=sync_id, integration_id=integration.id, error=error, now=now)


def _store(
    session: Session,
    integration: Integration,
    sync_id: str,
    conversations: list[Conversation],
    received: int,
    now: datetime,
) -> SyncInfo:
    arrivals = store_arrivals(session, integration=integration, conversations=conversations, now=now)
    counts = {**arrivals.counts, "received": received}
    return syncs.record_arrivals(
        session, sync_id=sync_id, counts=counts, arrived=arrivals.ids, integration_id=integration.id
    )


def _issues(where: str, error: ValidationError) -> list[Issue]:
    issues = []
    for detail in error.errors():
        message = str(detail["msg"]).removeprefix("Value error, ")
        if detail["type"] == "missing":
            message = "is required"
        elif detail["type"] in {"enum", "literal_error"} and isinstance(detail.get("input"), str):
            message = f"{message} (got {detail['input']!r})"
        loc = format_loc(detail["loc"])
        issues.append(Issue(f"{where}.{loc}" if loc else where, message))
    return issues
