"""Audio end to end (issue P6's Done-when): a scripted call spoken by espeak-ng, imported, run, scored, billed.

The call is real audio: espeak-ng speaks each scripted turn, sox puts the agent on the left channel and the
customer on the right (`tests.pipelines.calls`). It is imported the product's way (an appendix-D JSON file whose
`audio` is a path relative to it, through `import_path`), a pipeline with a greeting criterion and a prohibited
phrase is created through the API (POST /api/pipelines), and a select → process workflow runs it with the tests'
runner (in this process, so the Whisper model loads once for the module). Then the stored `AnalysisResult` and the
run resource (also read through GET /api/runs/{id}) are checked against the script.

One module-scoped world holds the store, the API client and the scripted call's run; each test checks one thing
of it. The pyannote sample (mono, with its RTTM beside it) and the unreadable-recording run use the same world.
Runs on SQLite, or on PostgreSQL with REDFLARE_TEST_POSTGRES_URL (a schema of its own, as `cli_env` does).
"""

from __future__ import annotations

import json
import math
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import undefer

from redflare.adapters.db.database import make_engine
from redflare.adapters.db.orm import AnalysisResult, Pipeline
from redflare.adapters.db.store import Store
from redflare.config import Settings
from redflare.domain.access import Role
from redflare.domain.ports import FixedClock
from redflare.importing.sample import shared_datasets_dir
from redflare.services.imports import import_path
from redflare.services.users import create_user
from redflare.web.app import create_app
from tests.conftest import POSTGRES_URL
from tests.factories import make_runner, step, workflow
from tests.pipelines.calls import Call, make_call
from tests.speech.wer import word_error_rate

DATASETS = shared_datasets_dir()
SAMPLE = (DATASETS or Path("../shared/datasets")) / "audio_samples" / "pyannote_sample"
ADMIN = "qa-lead@example.com"
PASSWORD = "correct horse battery"
PIPELINE = "scripted-call-check"
GREETING = "greeting"
PROHIBITED = "no_prohibited_phrase"
TIMING_TOLERANCE_S = 1.0
ANALYSIS_PRICE = Decimal("2")
MINUTE_PRICE = Decimal("0.5")

# Plain words Whisper tiny.en hears well from espeak-ng (no digits or names it would spell otherwise).
SCRIPT = [
    ("agent", "Good morning, thank you for calling. How can I help you today?"),
    ("customer", "Hello, I was charged twice for my order last week."),
    ("agent", "I am sorry to hear that. Could you please confirm your account number?"),
    ("customer", "Yes, I have it here on my card."),
    ("agent", "Calm down, that is not my problem."),
    ("customer", "Excuse me? I only asked for my money back."),
    ("agent", "I have refunded the second payment. Have a nice day, goodbye."),
]
GREETING_TURN, OFFENDING_TURN = 0, 4

PIPELINE_BODY: dict[str, Any] = {
    "name": PIPELINE,
    "description": "Calls: greet the caller, never brush them off.",
    "stages": {"transcribe": True, "sentiment": True, "score": True, "measures": True},
    "scorecard": [
        {
            "name": GREETING,
            "kind": "phrase_said",
            "speaker": "agent",
            "phrases": ["thank you for calling"],
            "within_first_turns": 1,
            "weight": 1,
        },
        {"name": PROHIBITED, "kind": "phrase_not_said", "speaker": "agent", "phrases": ["not my problem"], "weight": 1},
    ],
    "prices": {"analysis_per_conversation": str(ANALYSIS_PRICE), "transcription_per_audio_minute": str(MINUTE_PRICE)},
}


@dataclass
class World:
    store: Store
    client: TestClient
    folder: Path


@dataclass
class ScriptedRun:
    call: Call
    resource: dict[str, Any]
    result: AnalysisResult
    """call-1: imported with its audio only, no length."""
    with_length: AnalysisResult
    """call-2: the same recording, imported with its `duration_s`."""


def _env(monkeypatch: pytest.MonkeyPatch, folder: Path) -> Iterator[None]:
    """What `cli_env` does, for a whole module: a data folder, and on PostgreSQL a schema of its own."""
    monkeypatch.setenv("REDFLARE_DATA_DIR", str(folder / "redflare-data"))
    monkeypatch.setenv("REDFLARE_WORKERS", "1")
    if not POSTGRES_URL:
        monkeypatch.delenv("REDFLARE_DATABASE_URL", raising=False)
        yield
        return
    schema = f"rf_audio_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    monkeypatch.setenv("REDFLARE_DATABASE_URL", f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}")
    try:
        yield
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("audio-world")
    with pytest.MonkeyPatch.context() as monkeypatch:
        environment = _env(monkeypatch, folder)
        next(environment)
        settings = Settings()
        clock = FixedClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
        with TestClient(create_app(settings, clock=clock)) as client:
            store = Store.open(settings)
            try:
                with store.transaction() as session:
                    create_user(session, email=ADMIN, role=Role.ADMIN, password=PASSWORD, now=clock.now())
                login = client.post("/api/auth/login", json={"email": ADMIN, "password": PASSWORD})
                assert login.status_code == 200, login.text
                client.headers["X-CSRF-Token"] = login.json()["csrf_token"]
                yield World(store=store, client=client, folder=folder)
            finally:
                store.close()
        next(environment, None)


def _import(world: World, name: str, records: list[dict[str, Any]], *, integration: str) -> None:
    """Write the records as an appendix-D JSON file in the world's folder and import it the product's way."""
    path = world.folder / f"{name}.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    report = import_path(world.store, path, integration=integration)
    assert report.stored, report.to_dict()
    assert report.inserted == len(records), report.to_dict()


def _run(world: World, integration: str, pipeline: str) -> dict[str, Any]:
    """select (the integration's unprocessed conversations) → process, with the tests' runner."""
    pick = step("pick", "select_conversations", source={"integration": integration})
    process = step("analyse", "process_conversations", ["pick"], pipeline=pipeline)
    return make_runner(world.store).run_document(workflow(pick, process, name=f"Audio {integration}"))


def _result(world: World, conversation_id: str, pipeline: str) -> AnalysisResult | None:
    with world.store.transaction() as session:
        found = session.scalar(
            select(AnalysisResult)
            .join(Pipeline, Pipeline.id == AnalysisResult.pipeline_id)
            .where(AnalysisResult.conversation_id == conversation_id, Pipeline.name == pipeline)
            .options(undefer(AnalysisResult.evidence), undefer(AnalysisResult.transcript))
        )
        if found is not None:
            session.expunge(found)
        return found


def _steps(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in resource["steps"]}


@pytest.fixture(scope="module")
def scripted(world: World) -> ScriptedRun:
    """The scripted call made, imported twice (audio only; audio with its length), run through the API's pipeline."""
    created = world.client.post("/api/pipelines", json=PIPELINE_BODY)
    assert created.status_code == 201, created.text
    recordings = world.folder / "recordings"
    recordings.mkdir()
    call = make_call(SCRIPT, recordings, "scripted-call")
    record = {"id": "call-1", "channel": "call", "agent": "Dana Ito", "audio": "recordings/scripted-call.wav"}
    measured = {**record, "id": "call-2", "duration_s": round(call.duration_s, 3)}
    _import(world, "calls", [record, measured], integration="phones")
    resource = _run(world, "phones", PIPELINE)
    result, with_length = _result(world, "call-1", PIPELINE), _result(world, "call-2", PIPELINE)
    assert result is not None, resource
    assert with_length is not None, resource
    return ScriptedRun(call=call, resource=resource, result=result, with_length=with_length)


def _price(audio_s: float) -> Decimal:
    """The pipeline's price for one call: analysis, plus transcription per started tenth of an audio minute."""
    return ANALYSIS_PRICE + MINUTE_PRICE * math.ceil(audio_s / 6) / 10


class TestScriptedCall:
    def test_run_completes_with_the_calls_processed(self, scripted: ScriptedRun) -> None:
        resource = scripted.resource
        assert resource["status"] == "completed", resource
        analyse = _steps(resource)["analyse"]
        assert analyse["status"] == "completed"
        assert analyse["tally"]["processed"] == 2
        assert analyse["tally"]["failed"] == 0
        assert resource["conversations_processed"] == 2
        assert scripted.with_length.transcript == scripted.result.transcript  # one recording, one transcript

    def test_transcript_has_the_scripted_words(self, scripted: ScriptedRun) -> None:
        """Word error rate under 25% on clear synthetic speech, over the whole call."""
        heard = " ".join(str(turn["text"]) for turn in scripted.result.transcript)
        said = " ".join(turn.text for turn in scripted.call.turns)
        assert word_error_rate(said, heard) < 0.25, heard

    def test_each_turn_has_the_scripted_speaker_and_start(self, scripted: ScriptedRun) -> None:
        transcript = scripted.result.transcript
        assert [t["speaker"] for t in transcript] == [t.speaker for t in scripted.call.turns]
        for heard, said in zip(transcript, scripted.call.turns, strict=True):
            assert abs(float(heard["offset_s"]) - said.offset_s) <= TIMING_TOLERANCE_S, (heard, said)
            assert abs(float(heard["end_s"]) - said.end_s) <= TIMING_TOLERANCE_S, (heard, said)

    def test_greeting_passes_with_the_agents_greeting_as_evidence(self, scripted: ScriptedRun) -> None:
        result = scripted.result
        assert result.criteria[GREETING] is True
        evidence = result.evidence[GREETING]
        assert evidence["turn"] == GREETING_TURN
        assert evidence["speaker"] == "agent"
        assert evidence["text"] == result.transcript[GREETING_TURN]["text"]
        assert abs(float(evidence["offset_s"]) - scripted.call.turns[GREETING_TURN].offset_s) <= TIMING_TOLERANCE_S

    def test_prohibited_phrase_fails_with_the_offending_turn_as_evidence(self, scripted: ScriptedRun) -> None:
        result = scripted.result
        assert result.criteria[PROHIBITED] is False
        evidence = result.evidence[PROHIBITED]
        assert evidence["turn"] == OFFENDING_TURN
        assert evidence["speaker"] == "agent"
        assert evidence["match"] == "not my problem"
        assert evidence["text"] == result.transcript[OFFENDING_TURN]["text"]
        assert abs(float(evidence["offset_s"]) - scripted.call.turns[OFFENDING_TURN].offset_s) <= TIMING_TOLERANCE_S
        assert result.score == pytest.approx(50.0)  # one of two equally weighted criteria passed

    def test_call_measures_come_from_the_turn_times(self, scripted: ScriptedRun) -> None:
        result = scripted.result
        assert result.turns == len(SCRIPT)
        assert result.interruptions == 0  # the script leaves a pause between turns
        assert result.duration_s is not None
        assert abs(result.duration_s - scripted.call.turns[-1].end_s) <= 2 * TIMING_TOLERANCE_S

    def test_credits_of_a_call_with_its_length_are_analysis_plus_transcription(self, scripted: ScriptedRun) -> None:
        assert scripted.with_length.credits == _price(scripted.call.duration_s)
        charged = scripted.result.credits + scripted.with_length.credits
        assert Decimal(str(scripted.resource["credits"])) == charged
        assert Decimal(str(_steps(scripted.resource)["analyse"]["credits"])) == charged

    def test_credits_of_a_call_without_its_length_include_transcription(self, scripted: ScriptedRun) -> None:
        """Imported without a length, the call still pays for its recording's minutes (per started tenth)."""
        assert scripted.result.credits == _price(scripted.call.duration_s)

    def test_the_api_answers_the_same_run(self, world: World, scripted: ScriptedRun) -> None:
        answered = world.client.get(f"/api/runs/{scripted.resource['id']}")
        assert answered.status_code == 200, answered.text
        run = answered.json()
        assert run["status"] == "completed"
        assert run["conversations_processed"] == 2
        assert run["credits"] == pytest.approx(scripted.resource["credits"])
        assert run["steps"][1]["tally"] == _steps(scripted.resource)["analyse"]["tally"]


def test_the_two_speaker_sample_transcribes_along_its_rttm(world: World) -> None:
    """The shared 30 s mono sample, its RTTM copied beside it, runs through a workflow; turns follow the RTTM."""
    folder = world.folder / "sample"
    folder.mkdir()
    shutil.copy(SAMPLE / "sample.wav", folder / "sample.wav")
    shutil.copy(SAMPLE / "sample.rttm", folder / "sample.rttm")
    record = {"id": "pyannote-1", "channel": "call", "audio": "sample/sample.wav"}
    _import(world, "sample", [record], integration="sample")
    resource = _run(world, "sample", "default-qa")
    assert resource["status"] == "completed", resource
    assert _steps(resource)["analyse"]["tally"] == {"processed": 1, "reused": 0, "skipped_by_limit": 0, "failed": 0}
    result = _result(world, "pyannote-1", "default-qa")
    assert result is not None
    rttm = [line.split() for line in (SAMPLE / "sample.rttm").read_text().splitlines() if line.startswith("SPEAKER")]
    turns = sorted((float(f[3]), float(f[3]) + float(f[4]), f[7]) for f in rttm)
    roles = {turns[0][2]: "agent"}  # the first voice heard is the agent's, every other the customer's
    expected = [(onset, end, roles.get(label, "customer")) for onset, end, label in turns]
    transcript = result.transcript
    assert [(t["offset_s"], t["end_s"], t["speaker"]) for t in transcript] == [
        (pytest.approx(onset, abs=0.01), pytest.approx(end, abs=0.01), speaker) for onset, end, speaker in expected
    ]
    assert sum(len(str(t["text"]).split()) for t in transcript) > 20  # real speech was heard, not just times


def test_an_unreadable_recording_fails_alone_and_the_chats_still_analyse(world: World) -> None:
    """One recording that is not audio: its conversation gets an error outcome; the step and the chats go on."""
    (world.folder / "broken").mkdir()
    (world.folder / "broken" / "garbled.wav").write_bytes(b"this is not a RIFF file at all" * 100)
    chats = [
        {
            "id": f"chat-{i}",
            "channel": "chat",
            "turns": [
                {"speaker": "agent", "text": "Hello, thank you for calling. How can I help?"},
                {"speaker": "customer", "text": "My parcel is late."},
            ],
        }
        for i in range(4)  # 1 failure in 5 stays under the step's default failure threshold of 25%
    ]
    broken = {"id": "call-broken", "channel": "call", "audio": "broken/garbled.wav"}
    _import(world, "mixed", [*chats, broken], integration="mixed")
    resource = _run(world, "mixed", "default-qa")
    assert resource["status"] == "completed", resource
    analyse = _steps(resource)["analyse"]
    assert analyse["status"] == "completed"
    assert analyse["tally"]["processed"] == 4
    assert analyse["tally"]["failed"] == 1
    assert _result(world, "call-broken", "default-qa") is None
    for chat in chats:
        result = _result(world, str(chat["id"]), "default-qa")
        assert result is not None
        assert result.criteria["greeting"] is True
        assert result.transcript == []  # text passes through untranscribed
