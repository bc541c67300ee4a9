"""A process's delivery set-up: where exports go, how their links are signed, whether SMTP is there, and how to
wake its deliverer. It is the engine's `DeliveryHooks`."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from redflare.adapters.exportfiles.links import ExportLinks
from redflare.adapters.storage import ExportStorage
from redflare.adapters.storage.local import LocalStorage
from redflare.config import Settings
from redflare.domain.ports import Clock


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class DeliverySetup:
    storage: ExportStorage
    links: ExportLinks
    base_url: str
    smtp_configured: bool
    wake_deliverer: Callable[[], None] = field(default=_nothing)
    """Called (from any thread) after messages enter the outbox, so a deliverer in this process starts at once."""

    def forget_export(self, key: str) -> None:
        """Delete an export file no record points at any more; one already gone is no error."""
        with suppress(OSError):
            self.storage.delete(key)


def delivery_setup(settings: Settings, clock: Clock, *, wake_deliverer: Callable[[], None] = _nothing) -> DeliverySetup:
    """The delivery a process gets from its settings: storage, signed links, and whether SMTP is configured."""
    return DeliverySetup(
        storage=export_storage(settings),
        links=ExportLinks(
            settings.secret_key(), settings.base_url, clock, max_age=timedelta(days=settings.export_link_days)
        ),
        base_url=settings.base_url,
        smtp_configured=settings.smtp_configured,
        wake_deliverer=wake_deliverer,
    )


def export_storage(settings: Settings) -> ExportStorage:
    if settings.exports_url:
        from redflare.adapters.storage.fsspec_storage import FsspecStorage

        return FsspecStorage(settings.exports_url, scratch=settings.data_dir / "exports-scratch")
    return LocalStorage(settings.exports_dir)


def unconfigured_delivery(exports_dir: Path, clock: Clock) -> DeliverySetup:
    """Delivery without settings (engine tests, benchmarks): no SMTP (mail stays in the outbox), exports in
    `exports_dir`, links signed with a throwaway key and pointing at the default address."""
    base_url = str(Settings.model_fields["base_url"].default)
    return DeliverySetup(
        storage=LocalStorage(exports_dir),
        links=ExportLinks(secrets.token_urlsafe(32), base_url, clock),
        base_url=base_url,
        smtp_configured=False,
    )
