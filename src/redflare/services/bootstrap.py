"""What every store needs before work: the shipped pipelines."""

from __future__ import annotations

from redflare.adapters.db.pipelines import seed_pipelines
from redflare.adapters.db.store import Store
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.domain.ports import Clock


def ensure_builtins(store: Store, clock: Clock) -> None:
    with store.transaction() as session:
        seed_pipelines(session, load_builtin_pipelines(), now=clock.now())
