"""What the app holds for its lifetime (built in the lifespan, kept on `app.state`): no global singletons.

`RunManager` lives in engine/manager.py (re-exported here for the routes that type with it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.ports import Clock
from redflare.engine.delivery import DeliverySetup
from redflare.engine.manager import RunManager

__all__ = ["AppServices", "RunManager"]


@dataclass
class AppServices:
    settings: Settings
    store: Store
    clock: Clock
    runs: RunManager
    secret_key: str
    delivery: DeliverySetup
    wake_scheduler: Callable[[], None] = field(default=lambda: None)
    """Nudge the scheduler after writing a sync event, so its firings start at once (not at the next poll)."""
