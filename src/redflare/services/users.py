"""Users, their passwords and data-access rules, and the credentials they sign in with.

Secrets (session ids, API tokens) are random, shown once, and stored only as SHA-256 hashes: they are
high-entropy, so a fast hash is enough and lookups stay indexed. Passwords are hashed with argon2.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from redflare.adapters.db.access import user_rules
from redflare.adapters.db.orm import Credential, User
from redflare.domain.access import TOKEN_TTL as TOKEN_TTL  # the API's default too: stated in the domain
from redflare.domain.access import AccessRules, Role
from redflare.domain.errors import Conflict, InvalidInput, Issue, NotFound

SESSION_TTL = timedelta(hours=12)
TOKEN_PREFIX = "rf_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is acting: the user, their role and their data-access rules."""

    user_id: str
    email: str
    role: Role
    access: AccessRules
    credential_id: str | None = None
    csrf_token: str | None = None


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(f"{email!r} is not an email address", [Issue("email", str(exc))]) from exc


def _rules(values: Sequence[str] | None) -> list[str] | None:
    if values is None:
        return None
    return sorted({v.strip() for v in values if v.strip()})


def create_user(
    session: Session,
    *,
    email: str,
    role: Role,
    password: str | None,
    now: datetime,
    integrations: Sequence[str] | None = None,
    teams: Sequence[str] | None = None,
    agents: Sequence[str] | None = None,
) -> tuple[User, str | None]:
    """A new user; with no password given one is generated and returned (shown once)."""
    address = normalise_email(email)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"a user {address} already exists")
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    if len(password) < 8:
        raise InvalidInput("the password is too short", [Issue("password", "use at least 8 characters")])
    user = User(
        id=uuid.uuid4().hex,
        email=address,
        password_hash=_hasher.hash(password),
        role=str(role),
        integrations=_rules(integrations),
        teams=_rules(teams),
        agents=_rules(agents),
        disabled=False,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user, generated


def get_user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(f"no user {email!r}")
    return user


def principal_of(user: User, credential: Credential | None = None) -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        role=Role(user.role),
        access=user_rules(user),
        credential_id=credential.id if credential else None,
        csrf_token=credential.csrf_token if credential else None,
    )


def check_password(session: Session, *, email: str, password: str) -> User:
    """The user with this email and password; the same NotFound whether the email or the password is wrong."""
    try:
        user = get_user_by_email(session, email)
    except (NotFound, InvalidInput):
        _hasher.hash(password)  # spend the same time as a real check: no user enumeration by timing
        raise NotFound("wrong email or password") from None
    try:
        if user.disabled or user.password_hash is None:
            raise VerificationError
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise NotFound("wrong email or password") from None
    return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_credential(
    session: Session, *, user: User, kind: str, now: datetime, ttl: timedelta | None, name: str | None = None
) -> tuple[Credential, str]:
    """A new session or token for `user`; returns it with its secret (which is not stored)."""
    secret = (TOKEN_PREFIX if kind == "token" else "") + secrets.token_urlsafe(32)
    credential = Credential(
        id=uuid.uuid4().hex,
        user_id=user.id,
        kind=kind,
        secret_hash=_digest(secret),
        name=name,
        csrf_token=secrets.token_urlsafe(24) if kind == "session" else None,
        created_at=now,
        expires_at=None if ttl is None else now + ttl,
        revoked_at=None,
        last_used_at=None,
    )
    session.add(credential)
    session.flush()
    return credential, secret


def authenticate(session: Session, *, secret: str, kind: str, now: datetime) -> Principal:
    """The principal a live (unexpired, unrevoked) secret stands for; NotFound otherwise."""
    row = session.execute(
        select(Credential, User)
        .join(User, User.id == Credential.user_id)
        .where(Credential.secret_hash == _digest(secret), Credential.kind == kind)
    ).first()
    if row is None:
        raise NotFound("not signed in")
    credential, user = row
    if credential.revoked_at is not None or user.disabled:
        raise NotFound("not signed in")
    if credential.expires_at is not None and credential.expires_at <= now:
        raise NotFound("the session has expired")
    return principal_of(user, credential)


def needs_touch(session: Session, *, credential_id: str, now: datetime) -> bool:
    """Whether a credential's last use is older than the resolution we record it at (once a minute)."""
    last = session.scalar(select(Credential.last_used_at).where(Credential.id == credential_id))
    return last is None or now - last > LAST_USED_RESOLUTION


def touch(session: Session, *, credential_id: str, now: datetime) -> None:
    """Record a credential's use (done in its own short write, so reading requests stay reads)."""
    session.execute(
        update(Credential).where(Credential.id == credential_id).values(last_used_at=now),
        execution_options={"synchronize_session": False},
    )


def revoke_credential(session: Session, *, credential_id: str, user_id: str | None, now: datetime) -> None:
    """Revoke one session or token (a user may revoke only their own; `user_id=None` for admins)."""
    query = update(Credential).where(Credential.id == credential_id, Credential.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(Credential.user_id == user_id)
    result = session.execute(query.values(revoked_at=now), execution_options={"synchronize_session": False})
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise NotFound(f"no active credential {credential_id!r}")
