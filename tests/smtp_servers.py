"""Real SMTP servers on 127.0.0.1 for tests: each a context manager, each on a free port of its own.

    from tests.smtp_servers import accepting_server, down_then_up, dropping_server, refusing_server, silent_server

    with accepting_server() as server:              # aiosmtpd; records every message it accepts
        settings = Settings(data_dir=tmp_path, smtp_backoff_s=0.05, **server.settings())
        ...                                         # send through `settings` (SmtpSender, Deliverer, the app)
        [mail] = server.wait_for(1)                 # waits up to 5 s for one message; fails naming what came
        assert mail.message["Subject"] == "Alert"   # mail.message: a parsed email.message.EmailMessage
        assert mail.rcpt_tos == ["a@example.com"]   # the envelope: mail_from, rcpt_tos; also login, tls

The servers (all yield an object with `host`, `port` and `settings(**overrides)` — the `smtp_*` keyword
arguments for `redflare.config.Settings`, overrides merged in):

- `accepting_server(tls="none" | "starttls" | "ssl", auth=None | (user, password))` → `SmtpServer`.
  `tls="starttls"` requires STARTTLS before MAIL; `tls="ssl"` is implicit TLS from the first byte. Both use a
  certificate for 127.0.0.1 from a throwaway trustme CA, whose PEM file `settings()` passes as
  `smtp_ca_file` (`server.ca_file`). With `auth`, the server refuses mail until the client logs in (AUTH
  PLAIN/LOGIN, allowed without TLS) and records the user name on each message (`mail.login`).
- `refusing_server(answer="550 5.1.1 <{address}>: Recipient address rejected", refuse=lambda address: True)`
  → `SmtpServer` answering `answer` (with `{address}` filled in) to each RCPT that `refuse` picks and
  accepting the rest; e.g. `answer="450 4.2.0 <{address}>: Greylisted"` for a transient refusal, or
  `refuse=lambda a: a.startswith("bad@")` for a message some recipients get and others do not.
- `dropping_server(after_greeting=False)` → `DroppingServer`: accepts each connection and closes it at once
  (or after greeting and reading one command). `connections` counts the attempts it saw;
  `wait_for_connections(n)` waits for them.
- `silent_server()` → `DroppingServer` that accepts and never answers: with a small `smtp_timeout_s`, a timeout.
- `down_then_up(auth=None)` → `DownThenUp` (plain SMTP): a port reserved (bound, not listening — a
  connection is refused) whose `settings()` you use straight away; `start()` starts an accepting server on
  that very port and answers its `SmtpServer` (also `.server` afterwards).

Every server stops (and frees its port) when its `with` block ends. They run in threads of their own, so they
work the same from plain and from `@pytest.mark.asyncio` tests.
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal, cast

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"
TlsMode = Literal["none", "starttls", "ssl"]
RECIPIENT_REJECTED = "550 5.1.1 <{address}>: Recipient address rejected"


@dataclass(frozen=True)
class Received:
    """One message a server accepted: its envelope, the parsed message, who logged in, and whether over TLS."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None
    tls: bool


def _wait(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@dataclass
class SmtpServer:
    """A running aiosmtpd server and what it received (appended from the server's thread)."""

    host: str
    port: int
    tls: TlsMode = "none"
    ca_file: Path | None = None
    auth: tuple[str, str] | None = None
    received: list[Received] = field(default_factory=list)

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """`smtp_*` keyword arguments for `Settings` that reach this server (TLS, CA and login included)."""
        values: dict[str, Any] = {"smtp_host": self.host, "smtp_port": self.port, "smtp_tls": self.tls}
        if self.ca_file is not None:
            values["smtp_ca_file"] = self.ca_file
        if self.auth is not None:
            values["smtp_user"], values["smtp_password"] = self.auth
        return values | overrides

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """The messages received, once there are at least `count` (AssertionError after `timeout` seconds)."""
        if not _wait(lambda: len(self.received) >= count, timeout):
            subjects = [mail.message["Subject"] for mail in self.received]
            raise AssertionError(f"expected {count} message(s) within {timeout} s, got {len(subjects)}: {subjects}")
        return list(self.received)


class _Recorder:
    """aiosmtpd handler: wants a login when asked to, refuses the recipients `refuse` picks, records the rest."""

    def __init__(
        self, server: SmtpServer, refuse: Callable[[str], bool] | None, answer: str, *, login_required: bool
    ) -> None:
        self.server = server
        self.refuse = refuse
        self.answer = answer
        self.login_required = login_required

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if self.login_required and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse is not None and self.refuse(address):
            return self.answer.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        data = raw if isinstance(raw, bytes) else str(raw).encode()
        message = cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(data))
        auth = getattr(session, "auth_data", None)
        self.server.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,
                login=auth.login.decode() if session.authenticated and isinstance(auth, LoginPassword) else None,
                tls=server.transport is not None and server.transport.get_extra_info("sslcontext") is not None,
            )
        )
        return "250 2.0.0 OK: queued"


class _Controller(Controller):
    """aiosmtpd's threaded Controller on a port the OS picks, or on a socket reserved beforehand."""

    def __init__(self, handler: Any, *, sock: socket.socket | None = None, **kwargs: Any) -> None:
        super().__init__(handler, hostname=HOST, port=0, **kwargs)
        self._sock = sock

    def _create_server(self) -> Coroutine[Any, Any, Any]:
        return self._bind()

    async def _bind(self) -> Any:
        if self._sock is not None:
            server = await self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)
        else:
            server = await self.loop.create_server(self._factory_invoker, host=HOST, port=0, ssl=self.ssl_context)
        self.port = server.sockets[0].getsockname()[1]  # Controller.start() connects here to check it is up
        return server


def _authenticator(user: str, password: str) -> Callable[..., AuthResult]:
    def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == user.encode() and data.password == password.encode()
        return AuthResult(success=ok, handled=False, auth_data=data)

    return check


@contextmanager
def _tls_files(tls: TlsMode) -> Iterator[tuple[ssl.SSLContext | None, Path | None]]:
    """A server TLS context with a certificate for 127.0.0.1, and the PEM file of the CA that signed it."""
    if tls == "none":
        yield None, None
        return
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST, "localhost").configure_cert(context)
    with tempfile.TemporaryDirectory(prefix="redflare-smtp-ca-") as folder:
        ca_file = Path(folder) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        yield context, ca_file


@contextmanager
def _serve(
    *,
    tls: TlsMode = "none",
    auth: tuple[str, str] | None = None,
    refuse: Callable[[str], bool] | None = None,
    answer: str = RECIPIENT_REJECTED,
    sock: socket.socket | None = None,
) -> Iterator[SmtpServer]:
    with _tls_files(tls) as (context, ca_file):
        server = SmtpServer(host=HOST, port=0, tls=tls, ca_file=ca_file, auth=auth)
        handler = _Recorder(server, refuse, answer, login_required=auth is not None)
        options: dict[str, Any] = {}
        if tls == "starttls":
            options.update(tls_context=context, require_starttls=True)
        elif tls == "ssl":
            options.update(ssl_context=context)
        if auth is not None:
            # AUTH allowed without TLS; the login requirement is the handler's (aiosmtpd's own auth_required
            # warns about the combination on every connection).
            options.update(authenticator=_authenticator(*auth), auth_require_tls=False)
        controller = _Controller(handler, sock=sock, **options)
        controller.start()
        server.port = controller.port
        try:
            yield server
        finally:
            controller.stop()


@contextmanager
def accepting_server(*, tls: TlsMode = "none", auth: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    """An SMTP server that accepts every message and records it; optionally STARTTLS/SSL and a required login."""
    with _serve(tls=tls, auth=auth) as server:
        yield server


@contextmanager
def refusing_server(
    *, answer: str = RECIPIENT_REJECTED, refuse: Callable[[str], bool] = lambda address: True
) -> Iterator[SmtpServer]:
    """An SMTP server that answers `answer` to the recipients `refuse` picks (all, by default)."""
    with _serve(refuse=refuse, answer=answer) as server:
        yield server


DropMode = Literal["at_once", "after_greeting", "silent"]


class _Dropper(socketserver.ThreadingTCPServer):
    daemon_threads = True  # a silent handler may still be waiting when the server stops
    allow_reuse_address = True

    def __init__(self, mode: DropMode) -> None:
        super().__init__((HOST, 0), _DropHandler)
        self.mode = mode
        self.connections = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()


class _DropHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server = cast(_Dropper, self.server)
        with server.lock:
            server.connections += 1
        if server.mode == "after_greeting":
            self.request.sendall(f"220 {HOST} ESMTP\r\n".encode())
            self.request.recv(1024)  # the client's first command, left unanswered
        elif server.mode == "silent":
            # Say nothing until the client gives up (it closes) or the server stops.
            self.request.settimeout(0.05)
            while not server.stopping.is_set():
                try:
                    if not self.request.recv(1024):
                        break
                except TimeoutError:
                    continue
                except OSError:
                    break
        # Returning closes the connection.


@dataclass
class DroppingServer:
    """A TCP server that accepts SMTP connections and drops them; counts the connections it saw."""

    host: str
    port: int
    _server: _Dropper

    @property
    def connections(self) -> int:
        with self._server.lock:
            return self._server.connections

    def settings(self, **overrides: Any) -> dict[str, Any]:
        return {"smtp_host": self.host, "smtp_port": self.port, "smtp_tls": "none"} | overrides

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> int:
        if not _wait(lambda: self.connections >= count, timeout):
            raise AssertionError(f"expected {count} connection(s) within {timeout} s, got {self.connections}")
        return self.connections


@contextmanager
def _dropper(mode: DropMode) -> Iterator[DroppingServer]:
    server = _Dropper(mode)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield DroppingServer(host=HOST, port=server.server_address[1], _server=server)
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def dropping_server(*, after_greeting: bool = False) -> Iterator[DroppingServer]:
    """A server that closes each connection at once (or after its greeting and the client's first command)."""
    with _dropper("after_greeting" if after_greeting else "at_once") as server:
        yield server


@contextmanager
def silent_server() -> Iterator[DroppingServer]:
    """A server that accepts connections and never says a word (for timeouts: set a small smtp_timeout_s)."""
    with _dropper("silent") as server:
        yield server


class DownThenUp:
    """A reserved port with nothing answering on it (connections are refused) until `start()`."""

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind((HOST, 0))  # bound but not listening: the port is ours, and a connection is refused
        self.host = HOST
        self.port: int = self._sock.getsockname()[1]
        self.server: SmtpServer | None = None
        self._running: Any = None

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """The settings of the server to come: TLS/login settings are those `start()` will give it."""
        values: dict[str, Any] = {"smtp_host": self.host, "smtp_port": self.port, "smtp_tls": "none"}
        if self._options.get("auth") is not None:
            values["smtp_user"], values["smtp_password"] = self._options["auth"]
        return values | overrides

    def start(self) -> SmtpServer:
        """Start an accepting server on the reserved port; answers it."""
        if self._running is not None:
            raise RuntimeError("already started")
        self._running = _serve(sock=self._sock, **self._options)
        self.server = self._running.__enter__()
        return self.server

    def close(self) -> None:
        if self._running is not None:
            self._running.__exit__(None, None, None)
            self._running = None
        self._sock.close()


@contextmanager
def down_then_up(*, auth: tuple[str, str] | None = None) -> Iterator[DownThenUp]:
    """A port where an SMTP server is down until `start()` brings an accepting one up (plain SMTP)."""
    slot = DownThenUp({"auth": auth})
    try:
        yield slot
    finally:
        slot.close()
