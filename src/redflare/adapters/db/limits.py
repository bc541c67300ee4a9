"""A workflow row's guardrails as the domain's `Settings` (call limit, credits limit, overlap policy)."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol, cast

from redflare.domain.workflow import Overlap
from redflare.domain.workflow import Settings as Limits


class LimitsRow(Protocol):
    """A workflow's limit columns: a `Workflow`, or a Core row of them."""

    @property
    def call_limit(self) -> int | None: ...
    @property
    def credits_limit(self) -> Decimal | None: ...
    @property
    def overlap_policy(self) -> str | None: ...


def limits_of(workflow: LimitsRow) -> Limits:
    return Limits(
        call_limit=workflow.call_limit,
        credits_limit=workflow.credits_limit,
        overlap=cast(Overlap, workflow.overlap_policy or "queue"),
    )
