"""`redflare users create` and `redflare tokens create`: set-up and scripts (SPEC appendix C)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from redflare.domain.access import TOKEN_TTL, Role

users_app = typer.Typer(no_args_is_help=True, help="Manage users.")
tokens_app = typer.Typer(no_args_is_help=True, help="Manage API tokens.")


def _split(values: str | None) -> list[str] | None:
    return None if values is None else [v for v in values.split(",") if v.strip()]


@users_app.command("create")
def create_command(
    email: Annotated[str, typer.Argument(help="The user's email address.")],
    role: Annotated[Role, typer.Option(help="admin, editor or viewer.")] = Role.VIEWER,
    password: Annotated[str | None, typer.Option(help="Left out: one is generated and printed once.")] = None,
    integrations: Annotated[
        str | None, typer.Option(help="Comma-separated integrations they may see (default all).")
    ] = None,
    teams: Annotated[str | None, typer.Option(help="Comma-separated teams they may see (default all).")] = None,
    agents: Annotated[str | None, typer.Option(help="Comma-separated agents they may see (default all).")] = None,
) -> None:
    """Create a user with a role and data-access rules."""
    from redflare.adapters.db.store import Store
    from redflare.config import Settings
    from redflare.domain.errors import Conflict, InvalidInput
    from redflare.domain.ports import SystemClock
    from redflare.services.users import create_user

    store = Store.open(Settings())
    try:
        with store.transaction() as session:
            user, generated = create_user(
                session,
                email=email,
                role=role,
                password=password,
                now=SystemClock().now(),
                integrations=_split(integrations),
                teams=_split(teams),
                agents=_split(agents),
            )
    except (Conflict, InvalidInput) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    typer.echo(f"Created {role.value} {user.email}.")
    if generated:
        typer.echo(f"Password (shown once): {generated}")


@tokens_app.command("create")
def create_token_command(
    email: Annotated[str, typer.Argument(help="Whose token: it acts as them, with their rules.")],
    name: Annotated[str, typer.Option(help="A name to recognise it by.")] = "CLI token",
    days: Annotated[int, typer.Option(help="Days until it expires.")] = TOKEN_TTL.days,
) -> None:
    """Print a new API token (shown once) for `Authorization: Bearer <token>`."""
    from redflare.adapters.db.store import Store
    from redflare.config import Settings
    from redflare.domain.errors import InvalidInput, NotFound
    from redflare.domain.ports import SystemClock
    from redflare.services.users import get_user_by_email, issue_credential

    store = Store.open(Settings())
    clock = SystemClock()
    try:
        with store.transaction() as session:
            user = get_user_by_email(session, email)
            _, secret = issue_credential(
                session, user=user, kind="token", now=clock.now(), ttl=timedelta(days=days), name=name
            )
    except (NotFound, InvalidInput) as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    typer.echo(secret)
