"""Send one email over SMTP (aiosmtplib), and say plainly why when it does not go.

Contract of `SmtpSender.send`: it returns once the server has accepted the message for every recipient, or
raises `SendFailure(text, permanent)`. `text` is what a person should read — the server's answer as code plus
message ("550 5.1.1 <x@example.com>: Recipient address rejected"), or the connection problem ("could not
connect to 127.0.0.1:2525: Connection refused", "the server closed the connection before its greeting").
`permanent` says whether trying again is pointless: 5xx answers are permanent; 4xx answers, timeouts and
connection problems are transient. A message accepted for some recipients and refused for others is a
permanent failure naming the refused ones — sending it again would give the others a second copy.

One connection per message: a failure is then always the failure of exactly one message.
"""

from __future__ import annotations

import os
import ssl
from contextlib import suppress
from dataclasses import dataclass
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPConnectError,
    SMTPConnectTimeoutError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from redflare.config import Settings

DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


class SendFailure(Exception):
    """A message was not sent: `text` for people, `permanent` when retrying cannot help."""

    def __init__(self, text: str, *, permanent: bool) -> None:
        super().__init__(text)
        self.text = text
        self.permanent = permanent


@dataclass(frozen=True)
class _Step:
    """What the sender was doing, so a dropped connection or a timeout can say when it happened."""

    during: str


CONNECTING = _Step("before its greeting")
LOGGING_IN = _Step("while logging in")
SENDING = _Step("while the message was being sent")


class SmtpSender:
    """Sends through the SMTP server the settings name (`smtp_host` must be set)."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise ValueError("SMTP is not configured: set smtp_host (REDFLARE_SMTP_HOST)")
        self.host = settings.smtp_host
        self.port = settings.smtp_port or DEFAULT_PORTS[settings.smtp_tls]
        self.tls = settings.smtp_tls
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.timeout = settings.smtp_timeout_s
        # Built once: loading a CA bundle per message would be wasted work.
        self._tls_context = tls_context(settings) if self.tls != "none" else None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def send(self, message: EmailMessage) -> None:
        """Deliver `message` to the server; raises SendFailure when it was not accepted for every recipient."""
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            timeout=self.timeout,
            use_tls=self.tls == "ssl",
            # "none" means none: no opportunistic upgrade against a certificate we were not told to trust.
            start_tls=self.tls == "starttls",
            tls_context=self._tls_context,
        )
        step = CONNECTING
        try:
            await client.connect()
            if self.user:
                step = LOGGING_IN
                await client.login(self.user, self.password or "")
            step = SENDING
            refused, _ = await client.send_message(message)
            with suppress(SMTPException, OSError):  # accepted is accepted: a failed goodbye changes nothing
                await client.quit()
        except SMTPException as exc:
            raise self._failure(exc, step) from exc
        except ssl.SSLError as exc:  # a certificate refused during STARTTLS
            text = f"could not secure the connection to {self.address}: {_ssl_text(exc)}"
            raise SendFailure(text, permanent=False) from exc
        except OSError as exc:  # TimeoutError is an OSError
            raise SendFailure(_connection_text(self.address, exc, step), permanent=False) from exc
        except ValueError as exc:  # an address aiosmtplib will not put on the wire
            raise SendFailure(f"the message cannot be sent: {exc}", permanent=True) from exc
        finally:
            client.close()
        if refused:
            answers = "; ".join(_answer(r.code, r.message) for r in refused.values())
            raise SendFailure(f"{answers} (the other recipients received the message)", permanent=True)

    def _failure(self, exc: SMTPException, step: _Step) -> SendFailure:
        """The SendFailure an aiosmtplib error means."""
        if isinstance(exc, SMTPRecipientsRefused):  # every recipient refused
            codes = [r.code for r in exc.recipients]
            text = "; ".join(_answer(r.code, r.message) for r in exc.recipients)
            # A greylisting server answers 4xx to all; one 5xx means that address will never work.
            return SendFailure(text, permanent=any(code >= 500 for code in codes))
        if isinstance(exc, SMTPAuthenticationError):
            return SendFailure(f"login refused: {_answer(exc.code, exc.message)}", permanent=exc.code >= 500)
        if isinstance(exc, SMTPResponseException):  # includes a refused greeting, sender, recipient or data
            return SendFailure(_answer(exc.code, exc.message), permanent=exc.code >= 500)
        if isinstance(exc, SMTPConnectTimeoutError):
            text = f"could not connect to {self.address}: no answer within {self.timeout:g} s"
            return SendFailure(text, permanent=False)
        if isinstance(exc, SMTPTimeoutError):
            return SendFailure(
                f"the server at {self.address} did not answer within {self.timeout:g} s {step.during}",
                permanent=False,
            )
        if isinstance(exc, SMTPConnectError):
            return SendFailure(_connection_text(self.address, exc.__cause__ or exc, step), permanent=False)
        if isinstance(exc, SMTPServerDisconnected):
            return SendFailure(f"the server closed the connection {step.during}", permanent=False)
        # What is left (SMTPNotSupported, or aiosmtplib's plain SMTPException: no STARTTLS, no AUTH, no usable
        # login method) is the server not offering what the settings ask for: retrying cannot change that.
        return SendFailure(
            f"the server at {self.address} does not fit the settings: {exc.message.rstrip('.')}", permanent=True
        )


def tls_context(settings: Settings) -> ssl.SSLContext:
    """A client TLS context trusting `smtp_ca_file` when set, else the system's default CAs."""
    if settings.smtp_ca_file is not None:
        return ssl.create_default_context(cafile=str(settings.smtp_ca_file))
    return ssl.create_default_context()


def _answer(code: int, message: str) -> str:
    """A server answer as people read it: `550 5.1.1 <x@example.com>: Recipient address rejected`."""
    return f"{code} {' '.join(message.split())}".strip()


def _connection_text(address: str, exc: BaseException, step: _Step) -> str:
    if isinstance(exc, SMTPServerDisconnected):
        return f"the server closed the connection {step.during}"
    if isinstance(exc, TimeoutError):
        return f"could not connect to {address}: timed out"
    if isinstance(exc, ssl.SSLError):
        return f"could not secure the connection to {address}: {_ssl_text(exc)}"
    if isinstance(exc, OSError) and exc.errno is not None:
        # asyncio words a refusal "Connect call failed ('127.0.0.1', 2525)"; the errno says what happened.
        return f"could not connect to {address}: {os.strerror(exc.errno)}"
    return f"could not connect to {address}: {exc}"


def _ssl_text(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return f"certificate not trusted ({exc.verify_message})"
    return exc.reason or str(exc)
