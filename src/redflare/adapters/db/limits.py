"""A workflow row's guardrails as the domain's `Settings` (call limit, credits limit, overlap policy)."""

from __future__ import annotations

from typing import cast

from redflare.adapters.db.orm import Workflow
from redflare.domain.workflow import Overlap
from redflare.domain.workflow import Settings as Limits


def limits_of(workflow: Workflow) -> Limits:
    return Limits(
        call_limit=workflow.call_limit,
        credits_limit=workflow.credits_limit,
        overlap=cast(Overlap, workflow.overlap_policy or "queue"),
    )
