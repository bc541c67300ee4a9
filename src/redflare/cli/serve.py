"""`redflare serve`: the browser app and the API, with the scheduler and the local backend, on the embedded default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from redflare.config import Settings


def first_start(settings: Settings) -> None:
    """On an empty store: migrate, load the demo, create the admin and say how to sign in."""
    from sqlalchemy import func, select

    from redflare.adapters.db.orm import Conversation, User
    from redflare.adapters.db.store import Store
    from redflare.domain.access import Role
    from redflare.domain.errors import InvalidInput
    from redflare.domain.ports import SystemClock
    from redflare.services.bootstrap import ensure_builtins
    from redflare.services.demo import load_demo
    from redflare.services.users import create_user

    store = Store.open(settings)
    clock = SystemClock()
    try:
        ensure_builtins(store, clock)
        with store.transaction() as session:
            has_users = bool(session.scalar(select(func.count()).select_from(User)))
            has_conversations = bool(session.scalar(select(func.count()).select_from(Conversation)))
        if not has_conversations:
            load_demo(store, clock, say=typer.echo, workflows=settings.demo_workflows)
        if not has_users:
            email = settings.admin_email or "admin@example.com"
            try:
                with store.transaction() as session:
                    _, generated = create_user(
                        session, email=email, role=Role.ADMIN, password=settings.admin_password, now=clock.now()
                    )
            except InvalidInput as exc:
                typer.echo(f"Cannot create the admin from REDFLARE_ADMIN_EMAIL / _PASSWORD: {exc}", err=True)
                raise typer.Exit(2) from None
            typer.echo(f"Admin: {email}")
            if generated:
                typer.echo(f"Password (shown once; set REDFLARE_ADMIN_PASSWORD to choose it): {generated}")
    finally:
        store.close()


def listening_at(settings: Settings, host: str, port: int) -> Settings:
    """Links in emails and the run page point at where this server listens, unless REDFLARE_BASE_URL says."""
    if "base_url" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return settings.model_copy(update={"base_url": f"http://{shown}:{port}"})


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the browser app and the API (until Ctrl+C).

    The same process runs the scheduler and the runs it and the app start; the first start loads the demo and
    prints how to sign in."""
    import uvicorn

    from redflare.config import Settings
    from redflare.web.app import create_app

    settings = listening_at(Settings(), host, port)
    first_start(settings)
    typer.echo(f"RedFlare is at http://{host}:{port}  (API: http://{host}:{port}/api/docs)")
    # Live feeds stay open for minutes; on shutdown give them a few seconds, then close (browsers reconnect).
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
