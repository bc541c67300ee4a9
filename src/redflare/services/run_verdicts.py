"""Why each criterion passed, failed or did not apply, for the conversations a run's Process Conversations step shows
in its output preview: the run page puts the sentence beside each verdict.

The preview's conversations are the first rows of the step's stored output (as `runs.step_previews` reads them).
Each one's verdicts are its stored result of the step's pipeline — the newest version's, made no later than the
step finished (a reused result is an older run's) — explained by `analysis.verdicts` with that version's criteria,
the result's evidence and turn sentiments, and the conversation's (or its transcript's) speakers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from redflare.adapters.db.orm import AnalysisResult, Artifact, Pipeline, PipelineVersion, StepRun
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.analysis.pipeline import PipelineDefinition
from redflare.analysis.verdicts import verdict_reasons
from redflare.domain.errors import NotFound
from redflare.services.runs import preview_frame, visible_run
from redflare.services.users import Principal


def step_reasons(session: Session, *, principal: Principal, run_id: str, step_id: str) -> dict[str, dict[str, str]]:
    """Conversation id → criterion name → why, for the step's preview rows; empty for a step without results."""
    run = visible_run(session, principal, run_id)
    steps = {step["id"]: step for step in run.definition.get("steps", [])}
    step = steps.get(step_id)
    if step is None:
        raise NotFound(f"run {run_id!r} has no step {step_id!r}")
    pipeline_name = (step.get("config") or {}).get("pipeline")
    if step.get("type") != "process_conversations" or not pipeline_name:
        return {}
    ids = _preview_ids(session, run.id, step_id)
    pipeline_id = session.scalar(select(Pipeline.id).where(Pipeline.name == pipeline_name))
    if not ids or pipeline_id is None:
        return {}
    finished = session.scalar(select(StepRun.finished_at).where(StepRun.run_id == run.id, StepRun.step_id == step_id))
    query = (
        select(AnalysisResult)
        .options(undefer(AnalysisResult.evidence), undefer(AnalysisResult.turn_sentiments))
        .options(undefer(AnalysisResult.transcript))
        .where(AnalysisResult.pipeline_id == pipeline_id, AnalysisResult.conversation_id.in_(ids))
        .order_by(AnalysisResult.pipeline_version.desc(), AnalysisResult.created_at.desc())
    )
    if finished is not None:
        query = query.where(AnalysisResult.created_at <= finished)
    newest: dict[str, AnalysisResult] = {}
    for result in session.scalars(query):
        newest.setdefault(result.conversation_id, result)
    definitions = _definitions(session, pipeline_id, {result.pipeline_version for result in newest.values()})
    speakers = _speakers(session, [cid for cid, result in newest.items() if not result.transcript])
    reasons: dict[str, dict[str, str]] = {}
    for conversation_id, result in newest.items():
        definition = definitions.get(result.pipeline_version)
        if definition is None:
            continue
        who = (
            [str(turn.get("speaker") or "") for turn in result.transcript]
            if result.transcript
            else speakers.get(conversation_id, [])
        )
        reasons[conversation_id] = verdict_reasons(
            definition.scorecard, result.criteria or {}, result.evidence or {}, who, list(result.turn_sentiments or [])
        )
    return reasons


def _preview_ids(session: Session, run_id: str, step_id: str) -> list[str]:
    artifact = session.scalars(
        select(Artifact).where(Artifact.run_id == run_id, Artifact.step_id == step_id).order_by(Artifact.id)
    ).first()
    if artifact is None:
        return []
    frame = preview_frame(artifact)
    return [str(value) for value in frame["id"].to_list()] if "id" in frame.columns else []


def _definitions(session: Session, pipeline_id: int, numbers: set[int]) -> dict[int, PipelineDefinition]:
    rows = session.execute(
        select(PipelineVersion.number, PipelineVersion.definition).where(
            PipelineVersion.pipeline_id == pipeline_id, PipelineVersion.number.in_(numbers)
        )
    )
    return {number: PipelineDefinition.model_validate(definition) for number, definition in rows}


def _speakers(session: Session, ids: list[str]) -> dict[str, list[str]]:
    if not ids:
        return {}
    rows = session.execute(select(ConversationRow.id, ConversationRow.turns).where(ConversationRow.id.in_(ids)))
    found: dict[str, list[str]] = {}
    for conversation_id, turns in rows:
        found[conversation_id] = [
            str((turn or {}).get("speaker") or "") for turn in (turns or []) if isinstance(turn, dict)
        ]
    return found
