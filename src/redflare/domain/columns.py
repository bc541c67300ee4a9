"""The columns of a conversation set (SPEC appendix B) and their kinds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from redflare.domain.conditions import ColumnKind

K = ColumnKind

BASE_COLUMNS: Mapping[str, ColumnKind] = MappingProxyType(
    {
        "id": K.TEXT,
        "integration": K.TEXT,
        "channel": K.TEXT,
        "started_at": K.DATETIME,
        "duration_s": K.NUMBER,
        "agent": K.TEXT,
        "team": K.TEXT,
        "queue": K.TEXT,
        "tags": K.TEXT_LIST,
        "outcome": K.TEXT,
        "language": K.TEXT,
    }
)

# The call and chat measures of redflare.analysis.measures; its `duration_s` is no column of its own: the
# base `duration_s` is the conversation's length, and an audio call imported without one gets the analysed
# length written to the conversation when its result is stored (adapters.db.ledger), so it shows there.
ANALYSIS_COLUMNS: Mapping[str, ColumnKind] = MappingProxyType(
    {
        "pipeline": K.TEXT,
        "score": K.NUMBER,
        "sentiment": K.NUMBER,
        "sentiment_label": K.TEXT,
        "credits": K.NUMBER,
        "talk_ratio": K.NUMBER,
        "turns": K.NUMBER,
        "silence_s": K.NUMBER,
        "longest_silence_s": K.NUMBER,
        "interruptions": K.NUMBER,
        "agent_response_s": K.NUMBER,
    }
)

GROUP_COLUMN = "group"
CRITERION_PREFIX = "criterion."


def criterion_column(name: str) -> str:
    """The pass/fail column of one scorecard criterion."""
    return f"{CRITERION_PREFIX}{name}"


def analysis_columns(criteria: Iterable[str]) -> dict[str, ColumnKind]:
    """Columns a pipeline with these criteria adds to a set."""
    columns = dict(ANALYSIS_COLUMNS)
    columns.update({criterion_column(name): K.BOOLEAN for name in criteria})
    return columns
