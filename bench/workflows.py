"""The workflow documents the engine benchmark runs, and the no-op pipeline.

- `appendix_a(pipeline)`: SPEC appendix A's shape without its delivery steps —
  select → process → filter (score < 70) → sort (score ascending, top 20), and distribute
  (50/30/20, seeded) from the processed set. Its filter, sort and split match `bench.baseline`.
- `seven_steps()`: select → process (no-op) → filter → sort → distribute (2 groups) → one sort
  on each group's port: the 7-step run whose own overhead the benchmark measures.
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


def _step(step_id: str, step_type: str, after: list[str], **config: Any) -> dict[str, Any]:
    return {"id": step_id, "type": step_type, "after": after, "config": config}


def _document(name: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "trigger": {"type": "manual"}, "steps": steps, "settings": {}}


def appendix_a(pipeline: str, *, name: str | None = None) -> dict[str, Any]:
    """The benchmark's main workflow, processing with `pipeline`."""
    low = {"combinator": "and", "rules": [{"field": "score", "operator": "<", "value": LOW_SCORE}]}
    if pipeline == NOOP.name:  # no score without analysis: keep the filter's work, on a column every set has
        low = {"combinator": "and", "rules": [{"field": "duration_s", "operator": "<", "value": 60}]}
    order = "score" if pipeline != NOOP.name else "duration_s"
    return _document(
        name or f"Bench {pipeline}",
        [
            _step(
                "pick",
                "select_conversations",
                [],
                source={"integration": INTEGRATION},
                state="unprocessed",
                pipeline=pipeline,
                order="newest",
            ),
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


def seven_steps(*, reprocess: bool = True) -> dict[str, Any]:
    """The 7-step overhead workflow (no-op analysis, so step bodies are nearly free)."""
    return _document(
        "Bench overhead",
        [
            _step("pick", "select_conversations", [], source={"integration": INTEGRATION}),
            _step("analyse", "process_conversations", ["pick"], pipeline=NOOP.name, reprocess=reprocess),
            _step(
                "short",
                "filter",
                ["analyse"],
                condition={"combinator": "and", "rules": [{"field": "duration_s", "operator": ">", "value": 0}]},
            ),
            _step("ordered", "sort", ["short"], by=[{"field": "started_at", "direction": "desc"}]),
            _step(
                "split",
                "distribute",
                ["ordered"],
                mode="round_robin",
                groups=[{"name": "A"}, {"name": "B"}],
            ),
            _step("sort_a", "sort", ["split.A"], by=[{"field": "duration_s", "direction": "asc"}]),
            _step("sort_b", "sort", ["split.B"], by=[{"field": "agent", "direction": "asc"}]),
        ],
    )
