"""SmtpSender against real SMTP servers on 127.0.0.1: what arrives, and what a failure says and means."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from redflare.adapters.email.compose import compose
from redflare.adapters.email.smtp import SendFailure, SmtpSender
from redflare.config import Settings
from redflare.domain.delivery import OutgoingMessage
from tests.smtp_servers import (
    accepting_server,
    down_then_up,
    dropping_server,
    refusing_server,
    silent_server,
)

MESSAGE = OutgoingMessage(
    recipients=("ana@example.com", "bad@example.com"),
    subject="Calls to review",
    text="Two calls scored below 50.",
    html="<p>Two calls scored below <b>50</b>.</p>",
)


def sender(tmp_path: Path, **smtp: Any) -> SmtpSender:
    return SmtpSender(Settings(data_dir=tmp_path, **({"smtp_timeout_s": 5} | smtp)))


async def send(tmp_path: Path, **smtp: Any) -> None:
    email = compose(MESSAGE, sender="RedFlare <redflare@example.com>", message_id="m1")
    await sender(tmp_path, **smtp).send(email)


async def failure(tmp_path: Path, **smtp: Any) -> SendFailure:
    with pytest.raises(SendFailure) as caught:
        await send(tmp_path, **smtp)
    return caught.value


class TestAccepted:
    @pytest.mark.asyncio
    async def test_the_message_arrives_with_its_envelope_and_parts(self, tmp_path: Path) -> None:
        """The server gets one message for both recipients, from the sender, with text and HTML."""
        with accepting_server() as server:
            await send(tmp_path, **server.settings())
            [mail] = server.wait_for(1)
        assert mail.mail_from == "redflare@example.com"
        assert mail.rcpt_tos == ["ana@example.com", "bad@example.com"]
        assert mail.message["Subject"] == "Calls to review"
        assert mail.message["Message-ID"] == "<m1@redflare>"
        assert mail.message.get_body(("plain",)).get_content().strip() == MESSAGE.text
        assert mail.message.get_body(("html",)).get_content().strip() == MESSAGE.html
        assert not mail.tls

    @pytest.mark.asyncio
    @pytest.mark.parametrize("tls", ["starttls", "ssl"])
    async def test_tls_with_the_configured_ca(self, tmp_path: Path, tls: str) -> None:
        """STARTTLS and implicit SSL both work against a server whose CA is the configured smtp_ca_file."""
        with accepting_server(tls=tls) as server:  # type: ignore[arg-type]
            assert server.settings()["smtp_ca_file"].exists()
            await send(tmp_path, **server.settings())
            [mail] = server.wait_for(1)
        assert mail.tls
        assert mail.message["Subject"] == "Calls to review"

    @pytest.mark.asyncio
    @pytest.mark.parametrize("tls", ["starttls", "ssl"])
    async def test_a_certificate_from_an_unknown_ca_is_refused(self, tmp_path: Path, tls: str) -> None:
        """Without the CA file the system's CAs do not trust the test certificate: nothing is sent, and why."""
        with accepting_server(tls=tls) as server:  # type: ignore[arg-type]
            problem = await failure(tmp_path, **server.settings(smtp_ca_file=None))
            assert server.received == []
        assert problem.text.startswith(f"could not secure the connection to 127.0.0.1:{server.port}: ")
        assert "certificate not trusted" in problem.text

    @pytest.mark.asyncio
    async def test_login_with_user_and_password(self, tmp_path: Path) -> None:
        """With smtp_user/smtp_password the sender logs in; the server sees who."""
        with accepting_server(auth=("alerts", "s3cret")) as server:
            await send(tmp_path, **server.settings())
            [mail] = server.wait_for(1)
        assert mail.login == "alerts"

    @pytest.mark.asyncio
    async def test_a_wrong_password_is_permanent_with_the_servers_answer(self, tmp_path: Path) -> None:
        """A refused login is not retried: the answer says the credentials are wrong."""
        with accepting_server(auth=("alerts", "s3cret")) as server:
            problem = await failure(tmp_path, **server.settings(smtp_password="wrong"))
            assert server.received == []
        assert problem.permanent
        assert problem.text == "login refused: 535 5.7.8 Authentication credentials invalid"

    def test_the_default_port_follows_the_tls_mode(self, tmp_path: Path) -> None:
        """No smtp_port: 25 plain, 587 STARTTLS, 465 SSL."""
        ports = {tls: sender(tmp_path, smtp_host="mail.example.com", smtp_tls=tls).port for tls in DEFAULT_TLS}
        assert ports == {"none": 25, "starttls": 587, "ssl": 465}

    def test_no_smtp_host_is_a_configuration_error(self, tmp_path: Path) -> None:
        """A sender is only made for a configured server; the error names the setting."""
        with pytest.raises(ValueError, match="smtp_host"):
            sender(tmp_path)


DEFAULT_TLS = ("none", "starttls", "ssl")


class TestRefused:
    @pytest.mark.asyncio
    async def test_550_is_permanent_and_shows_the_answer(self, tmp_path: Path) -> None:
        """Every recipient refused with 5xx: a permanent failure whose text is code plus message."""
        with refusing_server() as server:
            problem = await failure(tmp_path, **server.settings())
            assert server.received == []
        assert problem.permanent
        assert problem.text == (
            "550 5.1.1 <ana@example.com>: Recipient address rejected; "
            "550 5.1.1 <bad@example.com>: Recipient address rejected"
        )

    @pytest.mark.asyncio
    async def test_a_4xx_answer_is_transient(self, tmp_path: Path) -> None:
        """A greylisting server's 450 means try again later."""
        with refusing_server(answer="450 4.2.0 <{address}>: Greylisted, try again") as server:
            problem = await failure(tmp_path, **server.settings())
        assert not problem.permanent
        assert problem.text.startswith("450 4.2.0 <ana@example.com>: Greylisted, try again")

    @pytest.mark.asyncio
    async def test_some_recipients_refused_is_permanent_naming_them(self, tmp_path: Path) -> None:
        """The others got the message, so it is not sent again; the failure names the refused address."""
        with refusing_server(refuse=lambda address: address.startswith("bad@")) as server:
            problem = await failure(tmp_path, **server.settings())
            [mail] = server.wait_for(1)
        assert mail.rcpt_tos == ["ana@example.com"]
        assert problem.permanent
        assert problem.text == (
            "550 5.1.1 <bad@example.com>: Recipient address rejected (the other recipients received the message)"
        )

    @pytest.mark.asyncio
    async def test_a_server_that_wants_a_login_refuses_a_sender_without_one(self, tmp_path: Path) -> None:
        """No smtp_user for a server that requires one: permanent, with the server's 530 answer."""
        with accepting_server(auth=("alerts", "s3cret")) as server:
            problem = await failure(tmp_path, **server.settings(smtp_user=None, smtp_password=None))
            assert server.received == []
        assert problem.permanent
        assert problem.text == "530 5.7.0 Authentication required"

    @pytest.mark.asyncio
    async def test_starttls_asked_of_a_server_without_it_is_permanent(self, tmp_path: Path) -> None:
        """Settings that ask for STARTTLS never fall back to plain text; retrying cannot help."""
        with accepting_server() as server:
            problem = await failure(tmp_path, **server.settings(smtp_tls="starttls"))
        assert problem.permanent
        assert "STARTTLS" in problem.text


class TestConnectionProblems:
    @pytest.mark.asyncio
    async def test_nothing_listening_is_transient_connection_refused(self, tmp_path: Path) -> None:
        """A server that is down may come up: transient, worded the way a person expects."""
        with down_then_up() as slot:
            problem = await failure(tmp_path, **slot.settings())
        assert not problem.permanent
        assert problem.text == f"could not connect to 127.0.0.1:{slot.port}: Connection refused"

    @pytest.mark.asyncio
    async def test_a_dropped_connection_is_transient(self, tmp_path: Path) -> None:
        """A connection closed before the greeting: transient, and the server saw the attempt."""
        with dropping_server() as server:
            problem = await failure(tmp_path, **server.settings())
            assert server.connections == 1
        assert not problem.permanent
        assert problem.text == "the server closed the connection before its greeting"

    @pytest.mark.asyncio
    async def test_a_connection_dropped_after_the_greeting_says_when(self, tmp_path: Path) -> None:
        """The text tells a dropped greeting from a drop mid-conversation."""
        with dropping_server(after_greeting=True) as server:
            problem = await failure(tmp_path, **server.settings())
        assert not problem.permanent
        assert problem.text == "the server closed the connection while the message was being sent"

    @pytest.mark.asyncio
    async def test_a_server_that_never_answers_times_out(self, tmp_path: Path) -> None:
        """smtp_timeout_s bounds the wait; the failure is transient and says how long it waited."""
        with silent_server() as server:
            problem = await failure(tmp_path, **server.settings(smtp_timeout_s=0.2))
        assert not problem.permanent
        assert "0.2 s" in problem.text
