"""The email an outbox message becomes: headers, the plain part, the HTML alternative, a stable Message-ID."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import cast

from redflare.adapters.db.orm import OutboxMessage
from redflare.adapters.email.compose import compose, message_id_header
from redflare.domain.delivery import OutgoingMessage

SENDER = "RedFlare <redflare@example.com>"
AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def on_the_wire(message: EmailMessage) -> EmailMessage:
    """The message as a receiving server parses it after transmission."""
    return cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(message.as_bytes(policy=policy.SMTP)))


class TestCompose:
    def test_a_row_becomes_one_email_to_all_its_recipients(self) -> None:
        """From the sender setting, To every recipient, the subject, the date, and the outbox id's Message-ID."""
        row = OutboxMessage(
            id="a1b2c3",
            recipients=["ana@example.com", "bo@example.com"],
            subject="3 calls flagged",
            text="Three calls need review.",
            html=None,
        )
        email = on_the_wire(compose(row, sender=SENDER, message_id=row.id, date=AT))
        assert email["From"] == SENDER
        assert [a.addr_spec for a in email["To"].addresses] == ["ana@example.com", "bo@example.com"]
        assert email["Subject"] == "3 calls flagged"
        assert email["Message-ID"] == "<a1b2c3@redflare>" == message_id_header("a1b2c3")
        assert email["Date"].datetime == AT
        assert email.get_content_type() == "text/plain"
        assert email.get_content().strip() == "Three calls need review."

    def test_html_makes_a_multipart_alternative_with_the_text_first(self) -> None:
        """A reader that shows HTML gets the table; one that does not gets the plain text."""
        message = OutgoingMessage(
            recipients=("ana@example.com",),
            subject="Top rows",
            text="c-1 score 40",
            html="<table><tr><td>c-1</td><td>40</td></tr></table>",
        )
        email = on_the_wire(compose(message, sender=SENDER, message_id="m1", date=AT))
        assert email.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in email.iter_parts()] == ["text/plain", "text/html"]
        assert email.get_body(("plain",)).get_content().strip() == "c-1 score 40"  # type: ignore[union-attr]
        assert "<td>c-1</td>" in email.get_body(("html",)).get_content()  # type: ignore[union-attr]

    def test_the_same_message_composed_twice_has_the_same_message_id(self) -> None:
        """A resend after a crash carries the Message-ID of the first send, so a receiver can drop the copy."""
        message = OutgoingMessage(recipients=("ana@example.com",), subject="s", text="t")
        first = compose(message, sender=SENDER, message_id="x9", date=AT)
        again = compose(message, sender=SENDER, message_id="x9", date=datetime(2026, 3, 3, tzinfo=UTC))
        assert first["Message-ID"] == again["Message-ID"]

    def test_non_ascii_text_and_a_line_break_in_the_subject_survive_transmission(self) -> None:
        """A rendered template with accents and a stray newline still makes a valid one-line subject."""
        message = OutgoingMessage(
            recipients=("zoë@example.com",), subject="Résumé for\nMarch", text="Señor Müller: 5 calls"
        )
        email = on_the_wire(compose(message, sender=SENDER, message_id="u1", date=AT))
        assert email["Subject"] == "Résumé for March"
        assert email.get_content().strip() == "Señor Müller: 5 calls"
