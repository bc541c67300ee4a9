"""The step kinds this build knows, by an explicit list (a duplicate type is an error at import)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from redflare.steps import (
    distribute,
    process_conversations,
    schedule_export,
    select_conversations,
    send_alert,
    sort,
)
from redflare.steps import filter as filter_step
from redflare.steps.base import StepKind


def _by_type(kinds: list[StepKind[Any]]) -> Mapping[str, StepKind[Any]]:
    registry: dict[str, StepKind[Any]] = {}
    for kind in kinds:
        if kind.type in registry:
            raise ValueError(f"step type {kind.type!r} registered twice")
        registry[kind.type] = kind
    return MappingProxyType(registry)


STEP_KINDS: Mapping[str, StepKind[Any]] = _by_type(
    [
        select_conversations.KIND,
        process_conversations.KIND,
        filter_step.KIND,
        sort.KIND,
        distribute.KIND,
        send_alert.KIND,
        schedule_export.KIND,
    ]
)
