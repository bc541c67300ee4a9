"""The FastAPI application: built by `create_app`, its resources made in the lifespan and kept on app.state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from redflare import __version__
from redflare.config import Settings
from redflare.domain.ports import Clock
from redflare.runtime import local_backend
from redflare.web.errors import install_error_handlers
from redflare.web.routes import (
    auth,
    catalog,
    estimate,
    exports,
    integrations,
    outbox,
    pipelines,
    run_views,
    runs,
    step_catalog,
    triggers,
    workflows,
)
from redflare.web.state import AppServices
from redflare.web.ui import mount_ui, ui_folder

API = "/api"


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with local_backend(settings, clock, recover=True) as runtime:
            app.state.services = AppServices(
                settings,
                runtime.store,
                runtime.clock,
                runtime.backend,
                settings.secret_key(),
                runtime.delivery,
                wake_scheduler=runtime.scheduler.wake,
            )
            yield

    app = FastAPI(
        title="RedFlare Workflows",
        version=__version__,
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for module in (
        auth,
        workflows,
        runs,
        run_views,
        estimate,
        catalog,
        pipelines,
        step_catalog,
        outbox,
        exports,
        integrations,
        triggers,
    ):
        app.include_router(module.router, prefix=API)
    ui = ui_folder(settings.ui_dir)
    if ui is not None:  # after the API routes: they match first
        mount_ui(app, ui)
    return app
