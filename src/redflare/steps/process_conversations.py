"""Process Conversations: send each conversation through a pipeline, in parallel batches, within the limits.

- Never bills twice: a conversation that already has a stored result from this pipeline version is
  reused, not re-analysed, unless `reprocess` is set.
- Admission is per conversation just before its batch starts: once the call limit or the credits limit
  is reached (or the run is cancelled), no new batch starts; what was left is counted as skipped.
- A conversation that fails analysis is reported and dropped from the output; the step fails only
  when the failed share passes `max_failure_share`.
- Output: the conversations that have a result (reused or new), with the pipeline's columns added.
- Progress: reported through `ctx.progress` before the first batch, after each one, and while batches are in
  flight as their conversations are analysed — processed = conversations sent for analysis that are analysed
  (failed ones included), total = conversations to analyse once stored results are reused, credits = what the
  finished batches were charged. A stop at a limit or a cancel leaves processed below total (the rest is the
  tally's `skipped_by_limit`).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import polars as pl
from pydantic import Field

from redflare.analysis.pipeline import AnalysisOutcome, PipelineDefinition, billable_audio_seconds
from redflare.domain.columns import analysis_columns
from redflare.domain.credits import ZERO
from redflare.domain.errors import StepError
from redflare.domain.validation import Columns, Environment
from redflare.sets.frames import empty_set
from redflare.sets.results import results_frame, rows_frame
from redflare.steps.base import Look, Problems, StepConfig, StepKind, StepResult, helper
from redflare.steps.context import Analysable, Batch, InFlight, StepContext
from redflare.steps.preview import Analysis, Preview
from redflare.steps.stageless import blank_and_failed, blank_results, does_nothing
from redflare.steps.wording import joined

MAX_ERRORS_SHOWN = 5
# Batches of a pipeline that does nothing are answered here, in milliseconds: what a batch costs is its admission
# and settling transactions, so they are large (and still admitted, limits and cancel checked, one by one).
STAGELESS_BATCH = 5000
FRAME_ROWS = 5000  # fresh results kept as Python rows before they become a frame


class Config(StepConfig):
    pipeline: str = Field(
        min_length=1,
        title="Pipeline",
        description="The analysis pipeline to run the conversations through.",
        json_schema_extra=helper("The pipeline decides how each conversation is transcribed, scored and analysed."),
    )
    reprocess: bool = Field(
        default=False,
        title="Reprocess",
        description="Analyse again even when this pipeline version already has a result.",
        json_schema_extra=helper("Off: stored results are reused and not charged again."),
    )
    max_failure_share: float = Field(
        default=0.25,
        ge=0,
        le=1,
        title="Failure threshold",
        description="The step fails when more than this share of conversations fail analysis.",
        json_schema_extra=helper("0.25 means the step fails if over a quarter of the conversations fail."),
    )
    batch_size: int | None = Field(
        default=None,
        ge=1,
        le=10_000,
        title="Batch size",
        description="Conversations per parallel batch.",
        json_schema_extra=helper("Leave empty for the server's default."),
    )


def columns(config: Config, inputs: Columns, env: Environment) -> tuple[Columns, Problems]:
    if env.pipelines is None:
        return {**inputs, **analysis_columns([])}, []
    if config.pipeline not in env.pipelines:
        return {**inputs, **analysis_columns([])}, [("pipeline", f"pipeline {config.pipeline!r} does not exist")]
    return {**inputs, **analysis_columns(env.pipelines[config.pipeline])}, []


def execute(ctx: StepContext, config: Config, frame: pl.DataFrame | None) -> StepResult:
    pipeline = ctx.pipelines.get(config.pipeline)
    if frame is None or frame.height == 0:
        ctx.progress.report(0, 0, ZERO)
        return StepResult.single(with_results(frame, results_frame([], pipeline.name, pipeline.criterion_names)))
    ids = frame["id"].to_list()
    reused = ctx.ledger.stored(ids, pipeline) if not config.reprocess else results_frame([], pipeline.name, [])
    reused_ids = set(reused["id"].to_list())
    pending = [i for i in ids if i not in reused_ids]

    tally = _Tally()
    stageless = does_nothing(pipeline)
    batch_size = config.batch_size or ctx.batch_size
    if stageless:
        batch_size = max(batch_size, STAGELESS_BATCH)
    criteria = pipeline.criterion_names
    # Compact rows, not the outcomes: a run keeps every fresh result until its end, and 100,000
    # outcomes (each an object, a dict and a list) made the garbage collector rescan them again and
    # again. Tuples of plain values drop out of its view, and polars takes them whole (`rows_frame`).
    # Every FRAME_ROWS of them become a frame: as Python tuples of boxed values they took about 450 bytes a
    # result (45 MB over 100,000), as columns a few dozen.
    fresh: list[tuple[object, ...]] = []
    frames: list[pl.DataFrame] = []
    blank: list[str] = []  # the fresh results of a pipeline that does nothing: ids only (`stageless.blank_results`)
    analysed: dict[str, float] = {}  # the analysed length of each fresh result that has one
    finished = 0
    ctx.progress.report(finished, len(pending), tally.credits)
    batches = _admitted_batches(ctx, pipeline, pending, batch_size, tally)
    if stageless:
        for batch in batches:
            ok, lost = blank_and_failed(batch)
            tally.credits += ctx.guard.settle_blank(ok, [i for i, _ in lost], pipeline, reprocess=config.reprocess)
            finished += len(batch)
            ctx.progress.report(finished, len(pending), tally.credits)
            blank += ok
            tally.errors += [f"{i}: {error}" for i, error in lost]

    def in_flight(analysed_so_far: int) -> None:
        # The conversations of the batches still in flight that are analysed already (counted by the workers in
        # shared memory, read by the executor while it waits): progress per conversation, not per batch.
        ctx.progress.report(finished + analysed_so_far, len(pending), tally.credits)

    for outcomes in () if stageless else _analysed(ctx, pipeline, batches, in_flight):
        tally.credits += ctx.guard.settle(outcomes, pipeline, reprocess=config.reprocess)
        finished += len(outcomes)
        ctx.progress.report(finished, len(pending), tally.credits)
        for outcome in outcomes:
            if outcome.ok:
                fresh.append(compact_row(outcome, criteria))
                if len(fresh) == FRAME_ROWS:
                    frames.append(rows_frame(fresh, pipeline.name, criteria))
                    fresh = []
                if outcome.duration_s is not None:
                    analysed[outcome.conversation_id] = outcome.duration_s
            else:
                tally.errors.append(f"{outcome.conversation_id}: {outcome.error}")
    sent = tally.sent
    failed = len(tally.errors)
    skipped = len(pending) - sent
    if sent and failed / sent > config.max_failure_share:
        shown = "; ".join(tally.errors[:MAX_ERRORS_SHOWN])
        raise StepError(
            f"{failed} of {sent} conversations failed analysis (threshold {config.max_failure_share:.0%}): {shown}"
        )

    if stageless:
        new_results = blank_results(blank, pipeline)
    else:
        new_results = pl.concat([*frames, rows_frame(fresh, pipeline.name, criteria)], rechunk=False)
    results = (
        pl.concat([_align(reused, new_results), new_results], how="vertical_relaxed") if reused.height else new_results
    )
    output = _with_analysed_duration(with_results(frame, results), analysed)
    notes = [f"stopped: {ctx.guard.stop_reason}; {skipped} conversations left unprocessed"] if skipped else []
    notes += tally.errors[:MAX_ERRORS_SHOWN]
    return StepResult.single(
        output,
        credits=tally.credits,
        processed=new_results.height,
        tally={"processed": new_results.height, "reused": reused.height, "skipped_by_limit": skipped, "failed": failed},
        notes=notes,
        stopped_by=ctx.guard.stopped_by if skipped and ctx.guard.stopped_by != "cancelled" else None,
    )


class _Tally:
    def __init__(self) -> None:
        self.sent = 0
        self.credits: Decimal = ZERO
        self.errors: list[str] = []


def _admitted_batches(
    ctx: StepContext, pipeline: PipelineDefinition, pending: list[str], batch_size: int, tally: _Tally
) -> Iterator[list[Analysable]]:
    """Batches as the guard admits them, priced from the stored columns; stops for good at the first refusal."""
    untranscribed = pipeline.price(None)  # what almost every conversation costs: priced once, not per row
    # Transcription off or free: every conversation costs the same, whatever its audio (a conversation's price
    # took about 1.5 µs, a tenth of a second over 100,000).
    flat = not pipeline.stages.transcribe or pipeline.prices.transcription_per_audio_minute == 0
    for start in range(0, len(pending), batch_size):
        found = ctx.conversations.analysable(pending[start : start + batch_size])
        if flat:
            priced = [(c.id, untranscribed) for c in found]
        else:
            priced = [(c.id, _price(pipeline, c, untranscribed)) for c in found]
        admitted = ctx.guard.admit(priced)
        if admitted:
            tally.sent += admitted
            yield found[:admitted]
        if admitted < len(found):
            return


def _price(pipeline: PipelineDefinition, conversation: Analysable, untranscribed: Decimal) -> Decimal:
    seconds = billable_audio_seconds(conversation.duration_s, conversation.audio, has_turns=conversation.has_turns)
    return untranscribed if seconds is None else pipeline.price(seconds)


def _analysed(
    ctx: StepContext, pipeline: PipelineDefinition, batches: Iterator[list[Analysable]], in_flight: InFlight
) -> Iterator[list[AnalysisOutcome]]:
    """Each admitted batch's outcomes, from the executor, whose workers load the batch themselves; a batch is
    admitted only when a worker is about to be free to start it."""
    loader = ctx.conversations.batch_loader()
    return ctx.executor.run(pipeline, (Batch(tuple(c.id for c in batch), loader) for batch in batches), in_flight)


def compact_row(o: AnalysisOutcome, criteria: list[str]) -> tuple[object, ...]:
    """The outcome's set columns as a compact row (`sets.results.ROW_FIELDS`, then the criteria): id, score,
    sentiment, label, credits, talk ratio, turns, silence, longest silence, interruptions, agent response…"""
    return (
        o.conversation_id,
        o.score,
        o.sentiment,
        o.sentiment_label,
        float(o.credits),
        o.talk_ratio,
        o.turns,
        o.silence_s,
        o.longest_silence_s,
        o.interruptions,
        o.agent_response_s,
        *([o.criteria.get(name) for name in criteria] if criteria else ()),
    )


def _with_analysed_duration(output: pl.DataFrame, known: dict[str, float]) -> pl.DataFrame:
    """An audio call imported without a length shows the analysed one (the ledger stores it on the conversation)."""
    if not known or "duration_s" not in output.columns or output["duration_s"].null_count() == 0:
        return output
    analysed = pl.DataFrame(
        {"id": list(known), "_analysed_duration_s": list(known.values())},
        schema={"id": pl.String, "_analysed_duration_s": pl.Float64},
    )
    return (
        output.join(analysed, on="id", how="left", maintain_order="left")
        .with_columns(pl.coalesce("duration_s", "_analysed_duration_s").alias("duration_s"))
        .drop("_analysed_duration_s")
    )


def _align(reused: pl.DataFrame, fresh: pl.DataFrame) -> pl.DataFrame:
    return reused.select(
        [pl.col(c) if c in reused.columns else pl.lit(None, dtype=fresh.schema[c]).alias(c) for c in fresh.columns]
    )


def with_results(frame: pl.DataFrame | None, results: pl.DataFrame) -> pl.DataFrame:
    """The input rows that have a result, with the result columns (replacing older ones of the same name).

    When every input row has exactly one result (the usual run), the input's columns are kept as they are and
    the results, put in the input's order, are set beside them: joining gathered a copy of every input column too
    (100,000 rows: tens of MB at the run's peak). `tests/steps/test_with_results.py` holds both ways equal."""
    base = frame if frame is not None else empty_set()
    keep = base.select([c for c in base.columns if c == "id" or c not in results.columns])
    if results.height == base.height and results["id"].n_unique() == results.height:
        aligned = base.select("id").join(results, on="id", how="inner", maintain_order="left")
        if aligned.height == base.height:  # each input row met exactly one result: the same rows as the join's
            return keep.hstack(aligned.drop("id").get_columns())
    return keep.join(results, on="id", how="inner", maintain_order="left")


def summarize(config: Config) -> str:
    """`call-qa`, `call-qa · analyse again` (stored results not reused)."""
    return joined([config.pipeline, "analyse again" if config.reprocess else ""]) or "Pipeline (blank name)"


KIND: StepKind[Config] = StepKind(
    type="process_conversations",
    version=1,
    title="Process Conversations",
    description="Transcribe, score and analyse conversations through one of your AI pipelines.",
    config_model=Config,
    execute=execute,
    columns_of=columns,
    look=Look(icon="M12 3l2 5 5 2-5 2-2 5-2-5-5-2 5-2zM19 15l1 2 2 1-2 1-1 2-1-2-2-1 2-1z", color="violet"),
    summarize=summarize,
    preview=Preview(role="analyses", analysis=lambda config: Analysis(config.pipeline, config.reprocess)),
)
