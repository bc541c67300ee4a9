"""A pipeline with no stage on, answered in the process feeding the step: no worker, no turns loaded.

Such a pipeline analyses nothing, so what `redflare.analysis.analyse.analyse` gives a conversation depends only on
whether it has turns and audio: with turns, an outcome with no value and the pipeline's price of nothing (0);
without turns, the error analyse gives (no turns at all, or audio this pipeline does not transcribe). Sending such
batches to the analysis pool would load and decode every turn only to look at none of them.
`tests/steps/test_stageless.py` holds these outcomes equal to analyse's over generated conversations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redflare.analysis.analyse import NO_TRANSCRIPT_STAGE, NO_TURNS
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.steps.context import Analysable


def does_nothing(pipeline: PipelineDefinition) -> bool:
    """No stage on: not even transcription."""
    stages = pipeline.stages
    return not (stages.transcribe or stages.sentiment or stages.score or stages.measures)


def stageless_outcomes(pipeline: PipelineDefinition, batch: Sequence[Analysable]) -> list[AnalysisOutcome]:
    """What analysing each conversation of `batch` under `pipeline` (which does nothing) gives, in order.

    The outcomes share one empty dict and one empty list (nothing writes into an outcome once made): four fresh
    containers per outcome were what the garbage collector then traversed, again and again, over a large run —
    100,000 outcomes took over a second that way."""
    assert does_nothing(pipeline), f"pipeline {pipeline.name!r} has a stage on: it must be analysed"
    price = pipeline.price(None)  # nothing transcribed, nothing analysed: whatever the prices say, 0
    none: dict[str, Any] = {}
    empty: list[Any] = []
    return [
        AnalysisOutcome(
            conversation_id=c.id,
            credits=price,
            criteria=none,
            turn_sentiments=empty,
            evidence=none,
            transcript=empty,
            error=None if c.has_turns else NO_TRANSCRIPT_STAGE if c.audio else NO_TURNS,
        )
        for c in batch
    ]
