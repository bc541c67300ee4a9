"""Syncs of integrations as the API answers them, and what a source pushes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from redflare.integrations.push import MAX_BATCH


class SyncPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    integration_id: int
    integration: str
    status: str = Field(description="running, completed or failed.")
    started_at: datetime
    finished_at: datetime | None
    window: dict[str, str | None] = Field(description="The sync's window: start, and end once it has ended.")
    counts: dict[str, int] = Field(description="received, imported (new), updated (changed), unchanged (…, files).")
    conversation_ids: list[str] = Field(description="The conversations that arrived new or changed in this sync.")
    error: str | None


class SyncsPublic(BaseModel):
    data: list[SyncPublic]
    count: int


class SyncBatch(BaseModel):
    """A batch of conversations in SPEC appendix D's format; each is checked, and any problem refuses all."""

    model_config = ConfigDict(extra="forbid")

    conversations: list[Any] = Field(max_length=MAX_BATCH, description="Conversations in appendix D's format.")


class SyncFailure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    error: str = Field(min_length=1, max_length=2000, pattern=r"^[^\x00]*$", description="Why the source gave up.")


class FolderScanPublic(BaseModel):
    sync: SyncPublic | None = Field(description="The sync the scan made; null when no file was new.")
