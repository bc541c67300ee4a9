"""The workflow documents the engine benchmark runs, and the no-op pipeline.

- `appendix_a(pipeline)`: SPEC appendix A's shape without its delivery steps —
  select → process → filter (score < 70) → sort (score ascending, top 20), and distribute
  (50/30/20, seeded) from the processed set. Its constants live in `bench.baseline`.
  With `NOOP` it is the no-op DAG `bench.bare.bare_dag` does by hand (filter duration_s < 80,
  sort by duration_s, since a no-op set has no score).
- `process_only(pipeline)`: select → process, the run Process Conversations is measured in.
- `chain(k)`: select → k − 1 sorts in a row, for the per-step overhead and trivial runs per second.
- `NOOP`: a pipeline with every stage switched off and a price of 0, so the process step costs
  only what the engine spends around analysis (loading, admission, pickling, settling).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bench.baseline import LOW_SCORE, SEED, SHARES, WORST
from bench.synthetic import INTEGRATION
from redflare.analysis.pipeline import PipelineDefinition, Prices, Stages

NOOP = PipelineDefinition(
    name="noop",
    description="Benchmark: every stage off, free.",
    stages=Stages(transcribe=False, sentiment=False, score=False, measures=False),
    prices=Prices(analysis_per_conversation=Decimal(0), transcription_per_audio_minute=Decimal(0)),
)


# What the no-op DAG filters and sorts on: a no-op set has no score, but every set has a duration.
NOOP_FIELD = "duration_s"
NOOP_BELOW = 80  # about a third of the synthetic conversations


def _step(step_id: str, step_type: str, after: list[str], **config: Any) -> dict[str, Any]:
    return {"id": step_id, "type": step_type, "after": after, "config": config}


def _unprocessed(pipeline: str) -> dict[str, Any]:
    """Select the benchmark integration's conversations `pipeline` has not analysed yet, newest first."""
    return _step(
        "pick",
        "select_conversations",
        [],
        source={"integration": INTEGRATION},
        state="unprocessed",
        pipeline=pipeline,
        order="newest",
    )


def _document(name: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "trigger": {"type": "manual"}, "steps": steps, "settings": {}}


def appendix_a(pipeline: str, *, name: str | None = None) -> dict[str, Any]:
    """The benchmark's main workflow, processing with `pipeline`."""
    low = {"combinator": "and", "rules": [{"field": "score", "operator": "<", "value": LOW_SCORE}]}
    if pipeline == NOOP.name:  # no score without analysis: keep the filter's work, on a column every set has
        low = {"combinator": "and", "rules": [{"field": NOOP_FIELD, "operator": "<", "value": NOOP_BELOW}]}
    order = "score" if pipeline != NOOP.name else NOOP_FIELD
    return _document(
        name or f"Bench {pipeline}",
        [
            _unprocessed(pipeline),
            _step("analyse", "process_conversations", ["pick"], pipeline=pipeline),
            _step("low", "filter", ["analyse"], condition=low),
            _step("worst", "sort", ["low"], by=[{"field": order, "direction": "asc"}], limit=WORST),
            _step(
                "split",
                "distribute",
                ["analyse"],
                mode="percentage",
                seed=SEED,
                groups=[{"name": group, "share": share} for group, share in SHARES.items()],
            ),
        ],
    )


def process_only(pipeline: str) -> dict[str, Any]:
    """Select the unprocessed conversations and process them with `pipeline`: the Process Conversations run."""
    return _document(
        f"Bench process {pipeline}",
        [
            _unprocessed(pipeline),
            _step("analyse", "process_conversations", ["pick"], pipeline=pipeline),
        ],
    )


def chain(steps: int) -> dict[str, Any]:
    """Select, then `steps - 1` sorts one after the other: a chain of trivial steps (a handful of rows)."""
    chained = [_step("s1", "select_conversations", [], source={"integration": INTEGRATION})]
    for index in range(2, steps + 1):
        chained.append(_step(f"s{index}", "sort", [f"s{index - 1}"], by=[{"field": "duration_s", "direction": "asc"}]))
    return _document(f"Bench chain of {steps}", chained)
