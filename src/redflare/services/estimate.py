"""Impact preview: what a run of the draft, and of the active version, would select, spend and split — dry.

Contract of `estimate_workflow`:
- It only reads, inside the caller's transaction: nothing is analysed, charged, sent or stored.
- Select Conversations runs its real query (the step's own `execute`) with the workflow creator's
  data-access rules, as a run would. A trigger's own conversations (source `trigger`, or a step hung
  straight off a Sync Completed trigger) are stood in for by the conversations imported in the last 24
  hours, of the trigger's integration when it names one.
- Process Conversations prices instead of analysing. A conversation with a stored result for the
  pipeline's current version is reused — free, its stored columns carried on; the others would be
  charged the pipeline's price (analysis per conversation, transcription per audio minute for
  recordings). The call and credits limits are applied as the run's spend guard applies them, in
  order, across the run's Process steps: the run's firing is one call, each conversation sent one
  more; the conversation that crosses the credits limit is the last one admitted. What the limits
  leave out does not flow on, as in a run.
- Conversations that would be processed have no scores yet: their analysis columns (score,
  sentiment, criteria, measures) are empty in the estimate, where — as everywhere — a rule on an
  empty value never matches and empty values sort last. Each step says how many output rows await
  analysis (`awaiting_analysis`), and how many rows awaiting analysis it placed on values nobody
  knows yet (`undecided`): a Filter on score keeps between `rows_out` and `rows_out + undecided`.
- Filter, Sort and Distribute run their own pure functions on the sets. Step kinds that deliver
  (Send Alert, Schedule Export) send nothing in an estimate: their rows pass through, counted.
- The draft is estimated only when Final checks find no issue; otherwise its issues are answered
  instead. The active version (checked when published) always is. A step that fails (a pipeline
  removed since publishing, say) shows its error, and the steps after it are skipped.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from redflare.adapters.db.access import creator_rules
from redflare.adapters.db.ledger import calls_in_window, credits_spent
from redflare.adapters.db.orm import WorkflowVersion
from redflare.domain.access import AccessRules
from redflare.domain.credits import ZERO
from redflare.domain.errors import InvalidWorkflow
from redflare.domain.loading import document_from_data
from redflare.domain.workflow import WorkflowDocument
from redflare.services.budget import Usage, limits_estimate
from redflare.services.dry_run import DryRun
from redflare.services.estimate_results import Estimate, VersionEstimate
from redflare.services.users import Principal
from redflare.services.visibility import visible_workflow
from redflare.services.workflows import final_checks


def estimate_workflow(session: Session, *, principal: Principal, workflow_id: str, now: datetime) -> Estimate:
    """The draft's figures beside the active version's; NotFound unless the user may see the workflow."""
    workflow = visible_workflow(session, principal, workflow_id)
    access = creator_rules(session, workflow)
    usage = usage_of(
        session,
        workflow_id=workflow.id,
        call_limit=workflow.call_limit,
        credits_limit=workflow.credits_limit,
        credits_since=workflow.credits_limit_since,
        now=now,
    )
    try:
        draft_document = document_from_data(workflow.draft)
        issues = final_checks(session, draft_document)
    except InvalidWorkflow as exc:
        issues = exc.issues
    draft = (
        VersionEstimate(version=None, issues=issues)
        if issues
        else estimate_document(session, draft_document, version=None, access=access, usage=usage, now=now)
    )
    active = None
    stored = (
        session.get(WorkflowVersion, (workflow.id, workflow.active_version))
        if workflow.active_version is not None
        else None
    )
    if stored is not None:
        document = document_from_data(stored.definition)
        active = estimate_document(session, document, version=stored.number, access=access, usage=usage, now=now)
    return Estimate(workflow_id=workflow.id, estimated_at=now, draft=draft, active=active)


def usage_of(
    session: Session,
    *,
    workflow_id: str,
    call_limit: int | None,
    credits_limit: Decimal | None,
    credits_since: datetime | None,
    now: datetime,
) -> Usage:
    """Calls in the last 24 hours and credits since the limit was set (each read only when its limit is set)."""
    return Usage(
        call_limit=call_limit,
        calls_used=calls_in_window(session, workflow_id, now) if call_limit is not None else 0,
        credits_limit=credits_limit,
        credits_spent=credits_spent(session, workflow_id, credits_since) if credits_limit is not None else ZERO,
        credits_since=credits_since,
    )


def estimate_document(
    session: Session,
    document: WorkflowDocument,
    *,
    version: int | None,
    access: AccessRules,
    usage: Usage,
    now: datetime,
) -> VersionEstimate:
    """A dry run of one checked document (see the module docstring)."""
    dry = DryRun(session, document, access=access, budget=usage.budget(), now=now)
    steps = dry.run()
    processing = [s.processing for s in steps if s.processing is not None]
    return VersionEstimate(
        version=version,
        conversations=len(dry.selected),
        reused=sum(p.reused for p in processing),
        to_process=sum(p.to_process for p in processing),
        processed=sum(p.processed for p in processing),
        credits=sum((s.credits for s in steps), ZERO),
        credits_without_limits=sum(dry.prices, ZERO),
        limits=limits_estimate(usage, dry.prices),
        steps=steps,
    )
