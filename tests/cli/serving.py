"""A real `redflare serve` process for fault tests: started on a free port, signed into, killed or stopped.

    with ServeProcess(env) as server:          # waits until it answers; stops it (SIGTERM) at the end
        api = server.sign_in()                 # an httpx client signed in as the admin, CSRF header set
        server.kill()                          # SIGKILL, as a crash
        server.start()                         # the same data folder and database again
        seconds = server.terminate()           # SIGTERM: answers how long it took to exit

`launcher` replaces the `redflare` command with `python -c CODE serve …`, for a server with a fault injected
before it starts (the code must end by calling `redflare.cli.main()`).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import httpx

ADMIN = "admin@example.com"
PASSWORD = "a long enough password"
START_S = 120.0  # a first start migrates and loads the demo: generous on a loaded machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server on `data_dir` (and the test's database, from os.environ): admin known,
    one analysis worker, no example workflows."""
    env = {
        **os.environ,
        "REDFLARE_DATA_DIR": str(data_dir),
        "REDFLARE_WORKERS": "1",
        "REDFLARE_ADMIN_EMAIL": ADMIN,
        "REDFLARE_ADMIN_PASSWORD": PASSWORD,
        "REDFLARE_DEMO_WORKFLOWS": "0",
        **extra,
    }
    env.pop("REDFLARE_BASE_URL", None)
    return env


class ServeProcess:
    def __init__(self, env: Mapping[str, str], *, launcher: str | None = None) -> None:
        self.env = dict(env)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.launcher = launcher
        self.process: subprocess.Popen[str] | None = None
        self.output: list[str] = []

    def __enter__(self) -> ServeProcess:
        self.start()
        return self

    def __exit__(self, *_: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def start(self) -> None:
        if self.launcher is None:
            command = [str(Path(sys.executable).with_name("redflare")), "serve", "--port", str(self.port)]
        else:
            command = [sys.executable, "-c", self.launcher, "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        # Read its output in a thread: a full pipe would block the server.
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited:\n" + "".join(self.output[-40:])
            try:
                if httpx.get(f"{self.url}/api/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("the server did not answer in time:\n" + "".join(self.output[-40:]))

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.output.append(line)

    def sign_in(self) -> httpx.Client:
        client = httpx.Client(base_url=f"{self.url}/api", timeout=10)
        answer = client.post("/auth/login", json={"email": ADMIN, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
        return client

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def terminate(self) -> float:
        """SIGTERM, then the seconds until the process exited (it is killed after 60 s, failing the caller)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("SIGTERM did not end the server:\n" + "".join(self.output[-40:])) from None
        return time.monotonic() - started


class Responsiveness:
    """Asks `GET /api/auth/me` every 0.2 s from a thread; records each answer's time and any failure."""

    def __init__(self, client: httpx.Client, limit_s: float = 1.0) -> None:
        self.client = client
        self.limit_s = limit_s
        self.slowest = 0.0
        self.failures: list[str] = []
        self.asked = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._ask, daemon=True)

    def __enter__(self) -> Responsiveness:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _ask(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                answer = self.client.get("/auth/me", timeout=self.limit_s)
                if answer.status_code != 200:
                    self.failures.append(f"{answer.status_code} {answer.text[:200]}")
            except httpx.HTTPError as exc:
                self.failures.append(f"{type(exc).__name__}: {exc}")
            self.slowest = max(self.slowest, time.monotonic() - started)
            self.asked += 1
            self._stop.wait(0.2)
