"""P7's speed-ups change no result: today's analysis (kept in bench/) and the product's agree on the demo sample."""

from __future__ import annotations

from dataclasses import replace

import pytest
from bench.analysis import conversations_in

from bench import analyse_baseline
from redflare.analysis.analyse import analyse
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.importing.sample import packaged_demo_files


@pytest.mark.parametrize("pipeline", ["default-qa", "call-qa"])
def test_every_outcome_is_todays_by_value(pipeline: str) -> None:
    """Sentiments, labels, criteria, evidence, measures and credits of each demo conversation, field by field."""
    definition = load_builtin_pipelines()[pipeline]
    conversations = conversations_in(packaged_demo_files())
    assert conversations
    analyse_baseline.clear_caches()
    with analyse_baseline.installed():
        today = [analyse(definition, conversation) for conversation in conversations]
    analyse_baseline.clear_caches()
    now = [analyse(definition, conversation) for conversation in conversations]
    # Calls' agent response time is new since (today's measures left it out of calls); every other field is the same.
    assert [replace(old, agent_response_s=new.agent_response_s) for old, new in zip(today, now, strict=True)] == now
    pairs = zip(today, now, strict=True)
    assert any(new.agent_response_s is not None and old.agent_response_s is None for old, new in pairs)
