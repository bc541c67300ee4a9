"""What delivery steps hand the engine: outgoing email messages and stored export files.

A step never sends mail or picks where a file lives: it answers these values, and the engine writes
them (outbox rows, export rows) in the same transaction that records the step's result. A deliverer
sends the outbox afterwards, so a message is never lost when SMTP is down.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

FileType = Literal["csv", "xlsx"]
MessageKind = Literal["alert", "report"]

NOT_SENT_NO_SMTP = "not sent: no SMTP server configured"
NOT_SENT_TEST_RUN = "would be sent: a test run sends no email"
TEST_RUN_SENDS_NOTHING = "a test run sends no email: its messages show what a real run would send"
NOT_SENT_CANCELLED = "not sent: the run was cancelled"
REPORT_SUBJECT = "Your Report is Ready"


class MessageStatus(StrEnum):
    """An outbox message's life: pending → sending → sent, or back to pending for a retry, or failed.

    `held` messages are kept but never sent (no SMTP server configured, a test run, a cancelled run);
    their `reason` says which.
    """

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"


SETTLED = frozenset({MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.HELD})
NEVER_SENT = frozenset({NOT_SENT_TEST_RUN, NOT_SENT_CANCELLED})
"""Why some held messages stay unsent for good: a test run's (what it would send) and a cancelled run's."""


def may_send_again(status: str, reason: str | None) -> bool:
    """Whether "Send now" may queue this message: held or failed, and not one a test run or a cancel keeps back."""
    return status in (MessageStatus.HELD, MessageStatus.FAILED) and reason not in NEVER_SENT


@dataclass(frozen=True)
class OutgoingMessage:
    """One email to its recipients (all on one message), with a plain-text body and an optional HTML part."""

    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str | None = None
    kind: MessageKind = "alert"


@dataclass(frozen=True)
class ExportRecord:
    """A file a step stored: where (`key` in the export storage), what and how big, and its signed link."""

    id: str
    name: str
    file_type: FileType
    key: str
    rows: int
    size: int
    columns: tuple[str, ...]
    link: str = field(default="", compare=False)


def unique_recipients(addresses: Iterable[str]) -> list[str]:
    """Addresses without duplicates (compared case-insensitively), first spelling kept, order kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for address in addresses:
        folded = address.strip().casefold()
        if folded and folded not in seen:
            seen.add(folded)
            kept.append(address.strip())
    return kept
