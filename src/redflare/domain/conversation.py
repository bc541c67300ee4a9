"""A conversation as the domain sees it (appendix D of SPEC), independent of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    CALL = "call"
    CHAT = "chat"
    EMAIL = "email"


class Speaker(StrEnum):
    AGENT = "agent"
    CUSTOMER = "customer"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance. `offset_s` is from the start of the conversation; `end_s` when known."""

    speaker: Speaker
    text: str
    offset_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    integration: str
    channel: Channel
    turns: tuple[Turn, ...] = ()
    started_at: datetime | None = None
    duration_s: float | None = None
    agent: str | None = None
    customer: str | None = None
    team: str | None = None
    queue: str | None = None
    tags: tuple[str, ...] = ()
    outcome: str | None = None
    language: str | None = None
    audio: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
