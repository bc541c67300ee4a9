"""What an impact preview answers: per step, per version (draft or active), and for the workflow.

Plain frozen dataclasses, filled by `services.estimate` (see its docstring for how each figure is reckoned).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from redflare.domain.credits import ZERO
from redflare.domain.errors import Issue
from redflare.services.budget import LimitsEstimate


@dataclass(frozen=True)
class Processing:
    pipeline: str
    pipeline_version: int
    reused: int  # already processed by this pipeline version: free, their columns known
    to_process: int  # would be sent to the pipeline and charged
    processed: int  # of those, how many the limits let through
    left_unprocessed: int
    stopped_by: str | None


@dataclass(frozen=True)
class StepEstimate:
    id: str
    type: str
    status: str  # estimated | failed | skipped
    rows_in: int | None = None
    rows_out: int | None = None
    outputs: dict[str, int] = field(default_factory=dict)
    awaiting_analysis: int = 0
    undecided: int = 0
    credits: Decimal = ZERO
    processing: Processing | None = None
    note: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class VersionEstimate:
    version: int | None  # None: the draft
    issues: list[Issue] = field(default_factory=list)
    conversations: int = 0  # selected, distinct
    reused: int = 0
    to_process: int = 0
    processed: int = 0
    credits: Decimal = ZERO  # what a run would spend, limits applied
    credits_without_limits: Decimal = ZERO
    limits: LimitsEstimate | None = None
    steps: list[StepEstimate] = field(default_factory=list)


@dataclass(frozen=True)
class Estimate:
    workflow_id: str
    estimated_at: datetime
    draft: VersionEstimate
    active: VersionEstimate | None
