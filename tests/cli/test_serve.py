"""`redflare serve` on the embedded default: first start loads the demo, creates the admin, and answers HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from redflare.cli.serve import listening_at
from redflare.config import Settings
from tests.conftest import POSTGRES_URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the embedded default is SQLite; the API tests cover PostgreSQL")
@pytest.mark.parametrize("admin", ["boss@example.com", None], ids=["admin from REDFLARE_ADMIN_EMAIL", "default admin"])
def test_first_start_then_sign_in(tmp_path: Path, admin: str | None) -> None:
    """A new user starts the server, reads the printed address and signs in as the admin it printed."""
    port = free_port()
    env = {**os.environ, "REDFLARE_DATA_DIR": str(tmp_path / "data"), "REDFLARE_WORKERS": "1"}
    env.pop("REDFLARE_ADMIN_EMAIL", None)
    if admin:
        env["REDFLARE_ADMIN_EMAIL"] = admin
    env.pop("REDFLARE_DATABASE_URL", None)
    env.pop("REDFLARE_ADMIN_PASSWORD", None)
    cli = Path(sys.executable).with_name("redflare")
    server = subprocess.Popen(
        [str(cli), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            lines.append(line)
            if "RedFlare is at" in line:
                break
        printed = "".join(lines)
        assert f"http://127.0.0.1:{port}" in printed
        password = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("Password"))
        email = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("Admin: "))
        assert email == (admin or "admin@example.com")
        for _ in range(200):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            me = client.post("/api/auth/login", json={"email": email, "password": password})
            assert me.status_code == 200
            assert me.json()["role"] == "admin"
        assert "Imported" in printed  # the demo data was loaded on the first start
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_links_point_at_where_the_server_listens_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDFLARE_BASE_URL", raising=False)
    assert listening_at(Settings(), "127.0.0.1", 8123).base_url == "http://127.0.0.1:8123"
    assert listening_at(Settings(), "0.0.0.0", 9000).base_url == "http://127.0.0.1:9000"
    monkeypatch.setenv("REDFLARE_BASE_URL", "https://redflare.example.com")
    assert listening_at(Settings(), "0.0.0.0", 9000).base_url == "https://redflare.example.com"
