"""Progress per conversation, not per batch: the analysis pool's workers count each conversation they finish in
shared memory, and a run waiting on its batches is told how far they have got — with real worker processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from redflare.analysis.catalog import load_builtin_pipelines
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn
from redflare.engine.executors import InlineAnalysisExecutor
from redflare.steps.context import Batch

SLOW = """
import time

from redflare.domain.conversation import Channel, Conversation, Speaker, Turn


class SlowList(list):
    \"\"\"The batch's conversations, each handed over a moment apart: a batch takes long enough to watch.\"\"\"

    def __iter__(self):
        for item in list.__iter__(self):
            time.sleep(0.15)
            yield item


class SlowLoader:
    def load(self, ids):
        return SlowList(
            Conversation(
                id=i,
                integration="t",
                channel=Channel.CHAT,
                turns=(Turn(Speaker.CUSTOMER, "my card is lost"), Turn(Speaker.AGENT, "sorry, I will help")),
            )
            for i in ids
        )
"""

WATCH = """
from probe_slow import SlowLoader
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.steps.context import Batch

if __name__ == "__main__":
    pool = ProcessPoolAnalysisExecutor(2, preload=["probe_slow"])
    pipeline = load_builtin_pipelines()["default-qa"]
    try:
        for _ in range(2):  # a second run starts from 0 again: its batches' counters were reset
            seen = []
            batches = iter([Batch(tuple(f"c{i}" for i in range(10)), SlowLoader())])
            outcomes = [o for batch in pool.run(pipeline, batches, seen.append) for o in batch]
            print(len(outcomes), *seen)
    finally:
        pool.close()
"""


def test_the_pool_tells_how_many_conversations_of_its_batches_are_done(tmp_path: Path) -> None:
    """One batch of ten, a conversation every 0.15 s: the run hears counts between 0 and 9 as they grow (never the
    whole batch: that is the caller's to report once stored), and a second run starts from 0 again."""
    (tmp_path / "probe_slow.py").write_text(textwrap.dedent(SLOW))
    script = tmp_path / "main_script.py"
    script.write_text(textwrap.dedent(WATCH))
    done = subprocess.run([sys.executable, str(script)], check=True, timeout=120, cwd=tmp_path, capture_output=True)
    for line in done.stdout.decode().splitlines():
        analysed, *seen = (int(x) for x in line.split())
        assert analysed == 10
        assert seen == sorted(seen)
        assert all(0 <= n <= 9 for n in seen)
        assert len({n for n in seen if 0 < n < 9}) >= 3, seen  # several steps in between, not 0 then 10
        assert seen[0] <= 2, seen


def test_inline_analysis_tells_each_conversation_but_the_batchs_last() -> None:
    """In the step's own thread: after each conversation of a batch, its count so far (the batch's end is the
    caller's to report); without a listener, batches as before."""
    turns = (Turn(Speaker.CUSTOMER, "hello"), Turn(Speaker.AGENT, "hi, how can I help"))
    conversations = [Conversation(id=f"c{i}", integration="t", channel=Channel.CHAT, turns=turns) for i in range(4)]

    class Loader:
        def load(self, ids: object) -> list[Conversation]:
            return conversations

    pipeline = load_builtin_pipelines()["default-qa"]
    seen: list[int] = []
    batches = iter([Batch(("a",), Loader()), Batch(("b",), Loader())])
    results = list(InlineAnalysisExecutor().run(pipeline, batches, seen.append))
    assert [len(batch) for batch in results] == [4, 4]
    assert seen == [1, 2, 3, 1, 2, 3]
    assert [o.conversation_id for o in results[0]] == [c.id for c in conversations]
    assert list(InlineAnalysisExecutor().run(pipeline, iter([Batch(("a",), Loader())]))) == [results[0]]
