"""`redflare users create` and `redflare tokens create`: set-up from the command line, usable by scripts at once."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from redflare.cli import app
from redflare.config import Settings
from redflare.web.app import create_app


def test_create_user_and_token_then_call_the_api(cli_env: Path) -> None:
    """An editor limited to two teams is created, gets a token, and the API knows them by it."""
    created = CliRunner().invoke(
        app, ["users", "create", "Ana@Example.com", "--role", "editor", "--teams", "Billing,Support"]
    )
    assert created.exit_code == 0, created.output
    assert "Password (shown once):" in created.stdout
    token = CliRunner().invoke(app, ["tokens", "create", "ana@example.com"])
    assert token.exit_code == 0, token.output
    secret = token.stdout.strip()
    with TestClient(create_app(Settings())) as client:
        me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {secret}"}).json()
    assert (me["email"], me["role"], me["teams"], me["integrations"]) == (
        "ana@example.com",
        "editor",
        ["Billing", "Support"],
        None,
    )


def test_refusals_are_clear(cli_env: Path) -> None:
    """A duplicate user, a bad address or an unknown user's token: exit 2 with the reason, nothing created."""
    assert CliRunner().invoke(app, ["users", "create", "bo@example.com", "--password", "long enough pw"]).exit_code == 0
    duplicate = CliRunner().invoke(app, ["users", "create", "bo@example.com"])
    assert (duplicate.exit_code, "already exists" in duplicate.stderr) == (2, True)
    bad = CliRunner().invoke(app, ["users", "create", "not-an-address"])
    assert (bad.exit_code, "not an email address" in bad.stderr) == (2, True)
    nobody = CliRunner().invoke(app, ["tokens", "create", "nobody@example.com"])
    assert nobody.exit_code == 2
