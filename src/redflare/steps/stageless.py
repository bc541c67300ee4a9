"""A pipeline with no stage on, answered in the process feeding the step: no worker, no turns loaded.

Such a pipeline analyses nothing, so what `redflare.analysis.analyse.analyse` gives a conversation depends only on
whether it has turns and audio: with turns, an outcome with no value and the pipeline's price of nothing (0);
without turns, the error analyse gives (no turns at all, or audio this pipeline does not transcribe). Sending such
batches to the analysis pool would load and decode every turn only to look at none of them.
`tests/steps/test_stageless.py` holds these outcomes equal to analyse's over generated conversations.

A large run does not even make the outcomes: `blank_and_failed` splits a batch into the ids whose result is blank
and the failures, the ledger stores the blank ones as a whole (`SpendGuard.settle_blank`), and `blank_results` is
their set columns, one polars call — 100,000 outcome objects, each checked, turned into a row and collected, cost
about a second. The tests hold both to what the outcomes give.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from redflare.analysis.analyse import NO_TRANSCRIPT_STAGE, NO_TURNS
from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition
from redflare.sets.results import rows_frame
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


def blank_and_failed(batch: Sequence[Analysable]) -> tuple[list[str], list[tuple[str, str]]]:
    """`stageless_outcomes` of `batch` split: the ids of the ok (blank) outcomes, and each failed one's id and
    error, both in batch order."""
    blank: list[str] = []
    failed: list[tuple[str, str]] = []
    for c in batch:
        if c.has_turns:
            blank.append(c.id)
        else:
            failed.append((c.id, NO_TRANSCRIPT_STAGE if c.audio else NO_TURNS))
    return blank, failed


def blank_results(ids: Sequence[str], pipeline: PipelineDefinition) -> pl.DataFrame:
    """The set columns of blank results for `ids` (`rows_frame`'s frame of their compact rows): no value, the
    price of nothing as credits."""
    empty = rows_frame([], pipeline.name, pipeline.criterion_names)
    same = {"pipeline": pipeline.name, "credits": float(pipeline.price(None))}
    return pl.DataFrame({"id": list(ids)}, schema={"id": pl.String}).select(
        pl.col("id") if name == "id" else pl.lit(same.get(name), dtype=dtype).alias(name)
        for name, dtype in empty.schema.items()
    )
