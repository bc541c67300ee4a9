"""Azure AI Speech / Language payloads (integration-format fixtures) → appendix D.

Three layouts, told apart by their keys:
- conversation-analysis input (`analysisInput.conversations[]`, items with participantId or role
  Agent/Customer and text): id `azure-<conversation id>`, language from the conversation; channel
  chat, or call when the items carry audio timings;
- batch-transcription result (`recognizedPhrases[]`, times as ticks of 100 ns): id
  `azure-<file name>`, channel call, started_at = `timeStamp`, duration from its ticks; each
  successful phrase a turn with the best hypothesis' display text, offset_s and end_s from ticks;
- real-time recognizer results (a list of {RecognitionStatus, Offset, Duration, SpeakerId, NBest}):
  id `azure-<file name>`, channel call, no start time.

Speech results name speakers by number, not role. Roles are inferred: the speaker who first says
an agent's opening ("how can I help", "thank you for calling" …) is the agent, or, failing that,
the first to speak when speakers are diarized; without diarization, channel 0 is the agent and
channel 1 the customer (the usual stereo recording). The numbering and the inferred roles are
kept in `metadata.speaker_roles`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redflare.importing.datasets.base import (
    DatasetFormat,
    files_where,
    first_json_value,
    has_keys,
    json_records,
    problem,
    record,
    turn,
)
from redflare.importing.readers import ReadIssue, ReadItem

NAME = "azure"
TICKS_PER_SECOND = 10_000_000
ROLES = {"agent": "agent", "customer": "customer"}
AGENT_OPENINGS = (
    "how can i help",
    "how may i help",
    "how can i assist",
    "how may i assist",
    "thank you for calling",
    "thanks for calling",
)
SOURCE = "Azure-Samples/cognitive-services-speech-sdk"


def _layout(value: Any) -> str | None:
    if has_keys(value, "analysisInput") and isinstance(value["analysisInput"], dict):
        return "analysis"
    if has_keys(value, "recognizedPhrases"):
        return "batch"
    if has_keys(value, "RecognitionStatus", "Offset"):
        return "realtime"
    return None


def claims_file(path: Path) -> bool:
    return _layout(first_json_value(path)) is not None


def claims_folder(path: Path) -> bool:
    return bool(files(path))


def files(path: Path) -> list[Path]:
    return files_where(path, claims_file)


def read_file(path: Path) -> Iterator[ReadItem]:
    items = list(json_records(path))
    issues = [i for i in items if isinstance(i, ReadIssue)]
    values = [i for i in items if not isinstance(i, ReadIssue)]
    yield from issues
    if issues or not values:
        return
    layout = _layout(values[0][1])
    if layout == "analysis":
        yield from _analysis(path, values[0][0], values[0][1])
    elif layout == "batch":
        yield _batch(path, values[0][0], values[0][1])
    elif layout == "realtime":
        yield _realtime(path, values[0][0], [v for _, v in values])
    else:
        yield problem(path, values[0][0], "not an Azure Speech or Language payload this import knows")


def _analysis(path: Path, line: int, payload: dict[str, Any]) -> Iterator[ReadItem]:
    conversations = (payload["analysisInput"] or {}).get("conversations")
    if not isinstance(conversations, list):
        yield problem(path, line, "analysisInput.conversations is not a list")
        return
    for index, conversation in enumerate(conversations):
        if not has_keys(conversation, "id", "conversationItems"):
            yield problem(path, line, f"conversation {index} has no id and conversationItems")
            continue
        items = [i for i in conversation["conversationItems"] or [] if isinstance(i, dict)]
        timed = any("audioTimings" in i or "wordLevelTimings" in i for i in items)
        turns = []
        for item in items:
            who = str(item.get("role") or item.get("participantId") or "")
            # An unknown role is passed on as it is, so the import reports it.
            turns.append(turn(ROLES.get(who.lower(), who), str(item.get("text", ""))))
        yield record(
            path,
            line,
            {
                "id": f"azure-{conversation['id']}",
                "channel": "call" if timed else "chat",
                "language": conversation.get("language"),
                "turns": turns,
                "metadata": {"source": SOURCE, "modality": conversation.get("modality")},
            },
        )


def _seconds(ticks: Any) -> float | None:
    return float(ticks) / TICKS_PER_SECOND if isinstance(ticks, int | float) else None


def _infer_roles(spoken: list[tuple[str, str]], *, diarized: bool) -> dict[str, str]:
    """Speaker key → role, from (speaker key, text) in speaking order (see the module docstring)."""
    speakers = list(dict.fromkeys(key for key, _ in spoken))
    if not diarized:
        return {key: "agent" if key == "0" else "customer" for key in speakers}
    openers = [key for key, text in spoken if any(phrase in text.lower() for phrase in AGENT_OPENINGS)]
    agent = openers[0] if openers else (speakers[0] if speakers else None)
    return {key: "agent" if key == agent else "customer" for key in speakers}


def _speech_record(
    path: Path, line: int, phrases: list[tuple[str, str, float | None, float | None]], diarized: bool
) -> dict[str, Any]:
    roles = _infer_roles([(key, text) for key, text, _, _ in phrases], diarized=diarized)
    turns = [turn(roles[key], text, offset, end) for key, text, offset, end in phrases]
    return {
        "id": f"azure-{path.stem}",
        "channel": "call",
        "turns": turns,
        "metadata": {
            "source": SOURCE,
            "speaker_roles": {("speaker " if diarized else "channel ") + key: role for key, role in roles.items()},
        },
    }


def _batch(path: Path, line: int, result: dict[str, Any]) -> ReadItem:
    phrases_in = [p for p in result.get("recognizedPhrases") or [] if isinstance(p, dict)]
    phrases_in = [p for p in phrases_in if p.get("recognitionStatus", "Success") == "Success" and p.get("nBest")]
    diarized = any("speaker" in p for p in phrases_in)
    phrases = []
    for phrase in phrases_in:
        offset = _seconds(phrase.get("offsetInTicks"))
        length = _seconds(phrase.get("durationInTicks"))
        key = str(phrase.get("speaker") if diarized else phrase.get("channel", 0))
        text = str(phrase["nBest"][0].get("display", ""))
        phrases.append((key, text, offset, offset + length if offset is not None and length is not None else None))
    data = _speech_record(path, line, phrases, diarized)
    data["started_at"] = result.get("timeStamp") or result.get("timestamp")
    data["duration_s"] = _seconds(result.get("durationInTicks", result.get("durationTicks")))
    data["metadata"]["recording"] = result.get("source")
    return record(path, line, data)


def _realtime(path: Path, line: int, results: list[Any]) -> ReadItem:
    phrases = []
    for result in results:
        if not isinstance(result, dict) or result.get("RecognitionStatus") != "Success":
            continue
        best = (result.get("NBest") or [{}])[0]
        text = str(best.get("Display") or result.get("DisplayText") or "")
        offset, length = _seconds(result.get("Offset")), _seconds(result.get("Duration"))
        end = offset + length if offset is not None and length is not None else None
        phrases.append((str(result.get("SpeakerId", "0")), text, offset, end))
    diarized = any(isinstance(r, dict) and "SpeakerId" in r for r in results)
    return record(path, line, _speech_record(path, line, phrases, diarized))


FORMAT = DatasetFormat(
    name=NAME,
    title="Azure Speech/Language payloads (conversation analysis, batch and real-time transcription)",
    claims_folder=claims_folder,
    claims_file=claims_file,
    files=files,
    read_file=read_file,
)
