"""Builders of test data: conversations in the store, workflow documents, runners."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from redflare.adapters.db.orm import Conversation, Integration
from redflare.adapters.db.store import Store
from redflare.domain.ports import FixedClock
from redflare.engine.executors import InlineAnalysisExecutor
from redflare.services.bootstrap import ensure_builtins
from redflare.services.execution import Runner
from redflare.steps.context import AnalysisExecutor

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENTS = ["Dana Ito", "Sam Lee", "Ana Ruiz", "Bo Chen"]
TEAMS = ["Billing", "Support"]

POLITE = [
    ("agent", "Hello, thanks for calling, this is Dana. How can I help you today?"),
    ("customer", "Hi, I was charged twice for my order."),
    ("agent", "I'm sorry about that. Can I have your name and account number to verify your identity?"),
    ("customer", "Sure, it's Kim Park, account 4471."),
    ("agent", "Thank you. I have refunded the duplicate charge. Is there anything else I can help with?"),
    ("customer", "No, that's great, thank you so much!"),
    ("agent", "You're welcome. Have a great day, goodbye!"),
]
RUDE = [
    ("agent", "Yeah what."),
    ("customer", "I am furious, this is the worst service, you people are terrible!"),
    ("agent", "Calm down, it's not my problem."),
    ("customer", "This is awful and I hate it. I want to cancel."),
]


def turns_of(script: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"speaker": s, "text": t, "offset_s": i * 5.0, "end_s": i * 5.0 + 4.0} for i, (s, t) in enumerate(script)]


def add_conversations(
    store: Store, n: int, *, integration: str = "demo", seed: int = 1, prefix: str = "c", rude_every: int = 3
) -> list[str]:
    """Store `n` chats (every `rude_every`-th one rude), spread over agents and teams; returns their ids."""
    rng = random.Random(seed)
    now = T0
    with store.transaction() as session:
        source = session.scalar(select(Integration).where(Integration.name == integration))
        if source is None:
            source = Integration(name=integration, kind="import", config={}, created_at=now)
            session.add(source)
            session.flush()
        ids = []
        for i in range(n):
            script = RUDE if rude_every and i % rude_every == 0 else POLITE
            conversation_id = f"{prefix}-{i:05d}"
            ids.append(conversation_id)
            session.add(
                Conversation(
                    id=conversation_id,
                    integration_id=source.id,
                    channel="chat",
                    started_at=T0 + timedelta(minutes=i),
                    duration_s=float(rng.randint(30, 900)),
                    agent=AGENTS[i % len(AGENTS)],
                    team=TEAMS[i % len(TEAMS)],
                    queue="general",
                    tags=["vip"] if i % 5 == 0 else [],
                    outcome="resolved",
                    language="en",
                    extra={},
                    turns=turns_of(script),
                    imported_at=now,
                    updated_at=now,
                )
            )
    return ids


def make_runner(store: Store, executor: AnalysisExecutor | None = None, *, batch_size: int = 4) -> Runner:
    clock = FixedClock(T0 + timedelta(days=30))
    ensure_builtins(store, clock)
    return Runner(store, clock, executor or InlineAnalysisExecutor(), batch_size=batch_size)


def workflow(*steps: dict[str, Any], name: str = "Test flow", settings: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "trigger": {"type": "manual"}, "steps": list(steps), "settings": settings or {}}


def step(step_id: str, step_type: str, after: list[str] | None = None, **config: Any) -> dict[str, Any]:
    return {"id": step_id, "type": step_type, "after": after or [], "config": config}


SELECT_DEMO = step("pick", "select_conversations", source={"integration": "demo"})
PROCESS = step("analyse", "process_conversations", ["pick"], pipeline="default-qa")
