"""A pipeline with no stage on is answered from the stored columns: exactly what analyse() gives, no worker."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from redflare.analysis.analyse import analyse
from redflare.analysis.pipeline import Criterion, DurationRange, PipelineDefinition, Prices, Stages
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn
from redflare.sets.results import rows_frame
from redflare.steps.context import Analysable
from redflare.steps.process_conversations import compact_row
from redflare.steps.stageless import blank_and_failed, blank_results, does_nothing, stageless_outcomes

NOTHING = Stages(transcribe=False, sentiment=False, score=False, measures=False)

turns = st.lists(
    st.builds(Turn, st.sampled_from(list(Speaker)), st.text(max_size=20), st.none() | st.floats(0, 600)), max_size=3
).map(tuple)
conversations = st.builds(
    Conversation,
    id=st.text(min_size=1, max_size=8),
    integration=st.just("demo"),
    channel=st.sampled_from(list(Channel)),
    turns=turns,
    duration_s=st.none() | st.floats(0, 3600),
    audio=st.none() | st.just("") | st.just("/recordings/a.wav"),
)
prices = st.builds(
    Prices,
    analysis_per_conversation=st.decimals(0, 10, places=2),
    transcription_per_audio_minute=st.decimals(0, 10, places=2),
)


def stored(conversation: Conversation) -> Analysable:
    """The conversation as the store's columns give it, turns unread."""
    return Analysable(conversation.id, conversation.duration_s, conversation.audio, bool(conversation.turns))


@given(st.lists(conversations, max_size=6), prices)
def test_outcomes_are_what_analyse_gives(batch: list[Conversation], priced: Prices) -> None:
    pipeline = PipelineDefinition(name="nothing", stages=NOTHING, prices=priced)
    assert stageless_outcomes(pipeline, [stored(c) for c in batch]) == [analyse(pipeline, c) for c in batch]


scorecards = st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True), max_size=3, unique=True).map(
    lambda names: [DurationRange(name=name) for name in names]
)


@given(st.lists(conversations, max_size=6), prices)
def test_the_split_is_the_outcomes_ok_and_failed(batch: list[Conversation], priced: Prices) -> None:
    """Large runs settle the split instead of the outcomes: the same ids, errors and order."""
    pipeline = PipelineDefinition(name="nothing", stages=NOTHING, prices=priced)
    outcomes = stageless_outcomes(pipeline, [stored(c) for c in batch])
    blank = [o.conversation_id for o in outcomes if o.ok]
    failed = [(o.conversation_id, o.error) for o in outcomes if not o.ok]
    assert blank_and_failed([stored(c) for c in batch]) == (blank, failed)


@given(st.lists(conversations, max_size=6), prices, scorecards)
def test_blank_results_are_the_frame_of_the_outcomes_rows(
    batch: list[Conversation], priced: Prices, scorecard: list[Criterion]
) -> None:
    """The set columns a large run makes from ids alone are those of the ok outcomes' compact rows."""
    pipeline = PipelineDefinition(name="nothing", stages=NOTHING, prices=priced, scorecard=scorecard)
    outcomes = [o for o in stageless_outcomes(pipeline, [stored(c) for c in batch]) if o.ok]
    expected = rows_frame(
        [compact_row(o, pipeline.criterion_names) for o in outcomes], "nothing", pipeline.criterion_names
    )
    assert_frame_equal(blank_results([o.conversation_id for o in outcomes], pipeline), expected)


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_only_a_pipeline_with_every_stage_off_does_nothing(
    transcribe: bool, sentiment: bool, score: bool, measures: bool
) -> None:
    stages = Stages(transcribe=transcribe, sentiment=sentiment, score=score, measures=measures)
    pipeline = PipelineDefinition(name="p", stages=stages, prices=Prices(analysis_per_conversation=Decimal(1)))
    assert does_nothing(pipeline) == (not (transcribe or sentiment or score or measures))
