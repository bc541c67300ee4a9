"""Turn an outbox message into the email that goes on the wire.

Contract: one message to all its recipients (To), From the configured sender, a plain-text body, and — when the
message has HTML — a multipart/alternative whose second part is text/html (mail readers show the richest part
they understand). The Message-ID is derived from the outbox id, never random: if a message is ever sent twice
(a deliverer died after the server accepted it, before the outbox recorded it), the receiving system sees the
same Message-ID and can drop the duplicate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from redflare.adapters.db.orm import OutboxMessage
from redflare.domain.delivery import OutgoingMessage

MESSAGE_ID_DOMAIN = "redflare"


def message_id_header(outbox_id: str) -> str:
    """The Message-ID of the outbox message with this id: `<{id}@redflare>`."""
    return f"<{outbox_id}@{MESSAGE_ID_DOMAIN}>"


def compose(
    message: OutboxMessage | OutgoingMessage,
    *,
    sender: str,
    message_id: str,
    date: datetime | None = None,
) -> EmailMessage:
    """The email for `message` (an outbox row or a step's message), from `sender`.

    `message_id` is the outbox id; the header becomes `message_id_header(message_id)`. `date` is the Date
    header (the deliverer passes its clock's now; None means the current time).
    """
    email = EmailMessage()
    email["From"] = sender
    email["To"] = ", ".join(str(address) for address in message.recipients)
    # A header is one line: a template that rendered a line break into the subject must not break the email.
    email["Subject"] = " ".join(message.subject.split())
    email["Date"] = format_datetime(date or datetime.now(UTC))
    email["Message-ID"] = message_id_header(message_id)
    # RFC 3834: an automatic message, so out-of-office responders do not answer it.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email
