"""The engine's heart, pure: given the graph and each step's status, what happens next.

`graph` maps every step id to the ids of the steps it waits for. A step is ready when all of
them have completed; it is skipped (label "upstream_failed") when any of them failed, was
skipped or was cancelled. The run is finished when every step is in a terminal status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from redflare.domain.runs import STEP_TERMINAL, RunStatus, StepStatus

UPSTREAM_FAILED = "upstream_failed"
_BLOCKING = frozenset({StepStatus.FAILED, StepStatus.SKIPPED, StepStatus.CANCELLED})


@dataclass(frozen=True)
class Plan:
    ready: tuple[str, ...]
    skip: tuple[str, ...]
    finished: bool
    outcome: RunStatus | None  # set when finished


def plan(graph: Mapping[str, Sequence[str]], states: Mapping[str, StepStatus]) -> Plan:
    """Which steps start now, which are skipped, and whether (and how) the run ends."""
    effective = dict(states)
    skip: list[str] = []
    # Skipping cascades: follow the graph until nothing new is blocked.
    changed = True
    while changed:
        changed = False
        for step, upstream in graph.items():
            if effective[step] is StepStatus.PENDING and any(effective[u] in _BLOCKING for u in upstream):
                effective[step] = StepStatus.SKIPPED
                skip.append(step)
                changed = True
    ready = tuple(
        step
        for step, upstream in graph.items()
        if effective[step] is StepStatus.PENDING and all(effective[u] is StepStatus.COMPLETED for u in upstream)
    )
    finished = all(status in STEP_TERMINAL for status in effective.values())
    return Plan(ready=ready, skip=tuple(skip), finished=finished, outcome=_outcome(effective) if finished else None)


def _outcome(states: Mapping[str, StepStatus]) -> RunStatus:
    values = set(states.values())
    if StepStatus.CANCELLED in values:
        return RunStatus.CANCELLED
    if StepStatus.FAILED in values:
        return RunStatus.FAILED
    return RunStatus.COMPLETED


def downstream_of(graph: Mapping[str, Sequence[str]], roots: Sequence[str]) -> set[str]:
    """Every step that (transitively) waits for one of `roots`, roots excluded."""
    children: dict[str, list[str]] = {step: [] for step in graph}
    for step, upstream in graph.items():
        for parent in upstream:
            children[parent].append(step)
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        for child in children[stack.pop()]:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen
