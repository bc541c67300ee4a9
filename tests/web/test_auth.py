"""Signing in, CSRF, API tokens, expiry and revocation."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from redflare.services.users import SESSION_TTL
from tests.web.conftest import PASSWORD, add_user, sign_in


class TestSignIn:
    def test_wrong_password_is_a_problem_document(self, client: TestClient, settings: Settings) -> None:
        """A wrong password answers 401 with problem details, and never says whether the email exists."""
        add_user(settings, "ana@example.com", Role.EDITOR)
        wrong = client.post("/api/auth/login", json={"email": "ana@example.com", "password": "nope-nope"})
        unknown = client.post("/api/auth/login", json={"email": "bo@example.com", "password": "nope-nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.headers["content-type"] == "application/problem+json"
        assert wrong.json()["detail"] == unknown.json()["detail"]

    def test_session_cookie_is_http_only_and_signs_in(self, client: TestClient, settings: Settings) -> None:
        """After signing in, the session cookie identifies the user; scripts cannot read it."""
        add_user(settings, "ana@example.com", Role.EDITOR, teams=["Billing"])
        response = client.post("/api/auth/login", json={"email": "ANA@example.com", "password": PASSWORD})
        assert "httponly" in response.headers["set-cookie"].lower()
        me = client.get("/api/auth/me").json()
        assert (me["email"], me["role"], me["teams"]) == ("ana@example.com", "editor", ["Billing"])

    def test_not_signed_in(self, client: TestClient) -> None:
        """Without a session or token the API answers 401."""
        assert client.get("/api/auth/me").status_code == 401

    def test_changes_need_the_csrf_token(self, client: TestClient, settings: Settings) -> None:
        """A cookie-authenticated change without X-CSRF-Token is refused (403); with it, it goes through."""
        add_user(settings, "ana@example.com", Role.EDITOR)
        csrf = sign_in(client, "ana@example.com")
        assert client.post("/api/tokens", json={"name": "x"}).status_code == 403
        assert client.post("/api/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf}).status_code == 201

    def test_sessions_expire(self, client: TestClient, settings: Settings, clock: FixedClock) -> None:
        """A session stops working when its lifetime is over."""
        add_user(settings, "ana@example.com", Role.VIEWER)
        sign_in(client, "ana@example.com")
        clock.advance(SESSION_TTL.total_seconds() - 1)
        assert client.get("/api/auth/me").status_code == 200
        clock.advance(2)
        assert client.get("/api/auth/me").status_code == 401

    def test_sign_out_revokes_the_session(self, client: TestClient, settings: Settings) -> None:
        """After signing out, the old cookie is worthless even if replayed."""
        add_user(settings, "ana@example.com", Role.VIEWER)
        csrf = sign_in(client, "ana@example.com")
        cookie = client.cookies.get("redflare_session")
        assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        client.cookies.set("redflare_session", cookie or "")
        assert client.get("/api/auth/me").status_code == 401


class TestTokens:
    def test_token_works_without_cookie_or_csrf(self, client: TestClient, settings: Settings) -> None:
        """A personal token authenticates a script, shown once and listed without its secret."""
        add_user(settings, "ana@example.com", Role.EDITOR)
        csrf = sign_in(client, "ana@example.com")
        created = client.post("/api/tokens", json={"name": "nightly"}, headers={"X-CSRF-Token": csrf}).json()
        client.cookies.clear()
        bearer = {"Authorization": f"Bearer {created['token']}"}
        assert client.get("/api/auth/me", headers=bearer).json()["email"] == "ana@example.com"
        listed = client.get("/api/tokens", headers=bearer).json()
        assert [t["name"] for t in listed] == ["nightly"]
        assert "token" not in listed[0]

    def test_revoked_and_expired_tokens_stop_working(
        self, client: TestClient, settings: Settings, clock: FixedClock
    ) -> None:
        """Revoking a token ends it at once; an expired one fails too."""
        add_user(settings, "ana@example.com", Role.EDITOR)
        csrf = sign_in(client, "ana@example.com")
        short = client.post("/api/tokens", json={"expires_in_days": 1}, headers={"X-CSRF-Token": csrf}).json()
        other = client.post("/api/tokens", json={}, headers={"X-CSRF-Token": csrf}).json()
        client.cookies.clear()
        revoker = {"Authorization": f"Bearer {short['token']}"}
        assert client.delete(f"/api/tokens/{other['id']}", headers=revoker).status_code == 204
        assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {other['token']}"}).status_code == 401
        clock.advance(timedelta(days=1).total_seconds())
        assert client.get("/api/auth/me", headers=revoker).status_code == 401

    def test_cannot_revoke_someone_elses_token(self, client: TestClient, settings: Settings) -> None:
        """Another user's token id is simply not found."""
        add_user(settings, "ana@example.com", Role.EDITOR)
        add_user(settings, "bo@example.com", Role.EDITOR)
        csrf = sign_in(client, "ana@example.com")
        ana_token = client.post("/api/tokens", json={}, headers={"X-CSRF-Token": csrf}).json()
        client.cookies.clear()
        csrf = sign_in(client, "bo@example.com")
        response = client.delete(f"/api/tokens/{ana_token['id']}", headers={"X-CSRF-Token": csrf})
        assert response.status_code == 404
