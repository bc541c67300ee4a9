"""The transcription stage: a scripted two-channel call made with espeak-ng and sox, analysed end to end.

The model loads once for this module (the `call` fixture's first analysis warms the process's transcriber).
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from redflare.analysis.analyse import analyse, analyse_batch
from redflare.analysis.catalog import load_builtin_pipelines
from redflare.analysis.pipeline import AnalysisOutcome, Prices
from redflare.domain.conversation import Channel, Conversation, Speaker, Turn
from redflare.speech import SPEECH_EXTRA_MISSING, TRANSCRIBER_ENV, SpeechUnavailable, Transcriber
from tests.speech.wer import word_error_rate

DEFAULT_QA = load_builtin_pipelines()["default-qa"]
AGENT_GREETING = "Hello, thank you for calling Acme. How can I help you today?"
CUSTOMER = "I was charged twice for my order."
AGENT_RUDE = "Calm down. That is not my problem. Goodbye."
CUSTOMER_STARTS_S = 5.6
AGENT_AGAIN_S = 9.4


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True)


def _speech(folder: Path, name: str, text: str) -> Path:
    raw, speech = folder / f"{name}-raw.wav", folder / f"{name}.wav"
    _run("espeak-ng", "-s", "150", "-w", str(raw), text)
    _run("sox", str(raw), "-r", "16000", "-c", "1", str(speech))
    return speech


def _length_s(audio: Path) -> float:
    return float(subprocess.run(["soxi", "-D", str(audio)], check=True, capture_output=True, text=True).stdout)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Left channel the agent (greeting, then the prohibited phrase), right the customer in between."""
    folder = tmp_path_factory.mktemp("call")
    greeting, complaint, rude = (
        _speech(folder, "greeting", AGENT_GREETING),
        _speech(folder, "complaint", CUSTOMER),
        _speech(folder, "rude", AGENT_RUDE),
    )
    greeting_s = _length_s(greeting)
    gap = folder / "gap.wav"
    _run("sox", "-n", "-r", "16000", "-c", "1", str(gap), "trim", "0", f"{AGENT_AGAIN_S - greeting_s:.3f}")
    agent, customer, call = folder / "agent.wav", folder / "customer.wav", folder / "call.wav"
    _run("sox", str(greeting), str(gap), str(rude), str(agent))
    _run("sox", str(complaint), str(customer), "pad", str(CUSTOMER_STARTS_S), "0")
    _run("sox", "-M", str(agent), str(customer), str(call))
    return call


@pytest.fixture(scope="module")
def outcome(recording: Path) -> AnalysisOutcome:
    conversation = Conversation(id="call-1", integration="test", channel=Channel.CALL, audio=str(recording))
    return analyse(DEFAULT_QA, conversation)


class TestTranscriptionStage:
    def test_audio_becomes_timed_speaker_turns(self, outcome: AnalysisOutcome) -> None:
        """The transcript holds the agent, the customer, the agent again, each at its time, as plain dicts."""
        assert outcome.ok, outcome.error
        assert [turn["speaker"] for turn in outcome.transcript] == ["agent", "customer", "agent"]
        assert set(outcome.transcript[0]) == {"speaker", "text", "offset_s", "end_s"}
        customer = outcome.transcript[1]
        # Whisper's words differ by machine (one CI host heard "charged wise"): judge by error rate, not a phrase.
        assert word_error_rate(CUSTOMER, str(customer["text"])) < 0.3, customer
        assert abs(float(str(customer["offset_s"])) - CUSTOMER_STARTS_S) < 1.0
        assert abs(float(str(outcome.transcript[2]["offset_s"])) - AGENT_AGAIN_S) < 1.0

    def test_the_scorecard_runs_on_the_transcript_with_evidence(self, outcome: AnalysisOutcome) -> None:
        """The scripted greeting passes, the scripted prohibited phrase fails, each pointing at its turn."""
        assert outcome.criteria["greeting"] is True
        assert outcome.criteria["no_prohibited_language"] is False
        greeting, offending = outcome.evidence["greeting"], outcome.evidence["no_prohibited_language"]
        assert greeting is not None
        assert offending is not None
        assert (greeting["turn"], greeting["speaker"], greeting["offset_s"]) == (
            0,
            "agent",
            outcome.transcript[0]["offset_s"],
        )
        assert (offending["turn"], offending["speaker"]) == (2, "agent")
        assert offending["match"] in {"not my problem", "calm down"}
        assert offending["text"] == outcome.transcript[2]["text"]

    def test_measures_use_the_transcript_times(self, outcome: AnalysisOutcome) -> None:
        """A call's measures come from the turns' times: talk by time, silences, no overlap, its length."""
        assert outcome.turns == 3
        assert outcome.interruptions == 0
        assert outcome.longest_silence_s is not None
        assert outcome.silence_s is not None
        assert 0.5 < outcome.longest_silence_s <= outcome.silence_s
        assert outcome.talk_ratio is not None
        assert 0.5 < outcome.talk_ratio < 1  # the agent spoke about twice as long as the customer
        assert outcome.duration_s is not None
        assert AGENT_AGAIN_S < outcome.duration_s < 14.0
        # The agent's second turn answers the customer: the wait is one of the silences.
        assert outcome.agent_response_s is not None
        assert 0.0 <= outcome.agent_response_s <= outcome.longest_silence_s
        assert len(outcome.turn_sentiments) == 3

    def test_transcription_is_billed_only_when_it_happens(self, recording: Path) -> None:
        """The transcribed call pays analysis and its minutes; the recording imported with turns, the analysis only."""
        prices = Prices(analysis_per_conversation=Decimal(2), transcription_per_audio_minute=Decimal("0.5"))
        priced = DEFAULT_QA.model_copy(update={"prices": prices})
        seconds = float(
            subprocess.run(["soxi", "-D", str(recording)], check=True, capture_output=True, text=True).stdout
        )
        bare = Conversation(id="call-1", integration="test", channel=Channel.CALL, audio=str(recording))
        with_turns = Conversation(
            id="call-2",
            integration="test",
            channel=Channel.CALL,
            audio=str(recording),
            duration_s=seconds,
            turns=(Turn(Speaker.AGENT, AGENT_GREETING), Turn(Speaker.CUSTOMER, CUSTOMER)),
        )
        transcribed, imported = analyse_batch(priced, [bare, with_turns])
        assert transcribed.credits == priced.price(seconds) > Decimal(2)
        assert (imported.transcript, imported.credits) == ([], Decimal(2))


class TestCallQa:
    def test_the_shipped_call_pipeline_scores_the_flow_of_the_call(self, recording: Path) -> None:
        """call-qa transcribes the call and judges its timing: short pauses, nobody talking over anybody."""
        conversation = Conversation(id="call-1", integration="test", channel=Channel.CALL, audio=str(recording))
        outcome = analyse(load_builtin_pipelines()["call-qa"], conversation)
        assert outcome.ok, outcome.error
        assert outcome.criteria["greeting"] is True
        assert outcome.criteria["no_prohibited_language"] is False
        assert (outcome.criteria["no_long_silence"], outcome.criteria["few_interruptions"]) == (True, True)
        silence = outcome.evidence["no_long_silence"]
        assert silence is not None
        assert silence["value"] == outcome.longest_silence_s


def unavailable_engine() -> Transcriber:
    """A configured engine whose package is missing, as `get_transcriber` reports it without the speech extra."""
    raise SpeechUnavailable(SPEECH_EXTRA_MISSING)


class TestSpeechUnavailable:
    def test_audio_fails_with_the_message_and_text_still_works(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a transcriber an audio conversation's error says so (and costs nothing); chats are analysed."""
        monkeypatch.setenv(TRANSCRIBER_ENV, f"{__name__}:unavailable_engine")
        audio = Conversation(id="a", integration="test", channel=Channel.CALL, audio="call.wav", duration_s=60)
        chat = Conversation(
            id="t", integration="test", channel=Channel.CHAT, turns=(Turn(Speaker.AGENT, "Hello, how can I help?"),)
        )
        failed, analysed = analyse_batch(DEFAULT_QA, [audio, chat])
        assert failed.error == SPEECH_EXTRA_MISSING
        assert failed.error.startswith("speech extra not installed: ")
        assert Decimal(0) == failed.credits
        assert analysed.ok
        assert analysed.criteria["greeting"] is True
