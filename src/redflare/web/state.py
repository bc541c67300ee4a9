"""What the app holds for its lifetime (built in the lifespan, kept on `app.state`): no global singletons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.ports import Clock
from redflare.engine.backends import Backend
from redflare.services.delivery_setup import DeliverySetup


@dataclass
class AppServices:
    settings: Settings
    store: Store
    clock: Clock
    backend: Backend
    """Where runs are carried out: `backend.submit(run_id)` once a run is committed."""
    secret_key: str
    delivery: DeliverySetup
    wake_scheduler: Callable[[], None] = field(default=lambda: None)
    """Nudge the scheduler after writing a sync event, so its firings start at once (not at the next poll)."""
