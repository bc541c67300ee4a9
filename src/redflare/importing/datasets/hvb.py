"""Gridspace-Stanford Harper Valley Bank (`metadata/<sid>.json` + `transcript/<sid>.json`) → appendix D.

One call is a metadata file and the transcript file of the same name beside it:
- id `hvb-<sid>`, channel call, language en;
- started_at = start_time_ms (UTC), duration_s = (end_time_ms − start_time_ms) / 1000;
- agent = agent.metadata.agent_name, customer = the caller's "first and last name";
- team = session, queue = tasks[0].task_type, tags = every task type;
- outcome `resolved` when every task has a matching agent response, else `unresolved`;
- turns in time order: speaker_role caller → customer, agent → agent; text = human_transcript,
  or the ASR `transcript` where the human one is empty (noise markers such as `[noise]` are kept:
  they are what was on the line); offset_s = offset_ms / 1000, end_s = (offset_ms + duration_ms) / 1000 —
  `offset_ms` is on the call's clock (it tracks `start_timestamp_ms`); `start_ms` is on its channel's own
  recording, which for the agent began about two seconds late, so agent and caller turns by `start_ms` land out
  of order and an answer can seem to come before the question (`start_ms` is used only where `offset_ms` is
  missing);
- metadata: the caller's rating of the agent (`caller_rating`, 1–10) and comments, the agent's
  rating of the caller, the call-quality labels, the tasks and the agent's responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redflare.importing.datasets.base import (
    LANGUAGE,
    DatasetFormat,
    files_where,
    first_json_value,
    has_keys,
    json_files,
    problem,
    record,
    turn,
    whole_json,
)
from redflare.importing.readers import ReadIssue, ReadItem

NAME = "hvb"
SPEAKERS = {"caller": "customer", "agent": "agent"}


def claims_file(path: Path) -> bool:
    return path.parent.name == "metadata" and has_keys(first_json_value(path), "sid", "start_time_ms", "tasks")


def claims_folder(path: Path) -> bool:
    if not (path / "metadata").is_dir() or not (path / "transcript").is_dir():
        return False
    candidates = json_files(path / "metadata")
    return bool(candidates) and claims_file(candidates[0])


def files(path: Path) -> list[Path]:
    if path.is_dir() and (path / "metadata").is_dir():
        path = path / "metadata"
    return files_where(path, claims_file)


def transcript_of(metadata_path: Path) -> Path:
    return metadata_path.parent.parent / "transcript" / metadata_path.name


def read_file(path: Path) -> Iterator[ReadItem]:
    metadata = whole_json(path)
    if isinstance(metadata, ReadIssue):
        yield metadata
        return
    if not isinstance(metadata, dict):
        yield problem(path, 1, "a metadata file must be an object")
        return
    transcript_path = transcript_of(path)
    if not transcript_path.is_file():
        yield problem(path, 1, f"no transcript beside it (looked for {transcript_path})")
        return
    segments = whole_json(transcript_path)
    if isinstance(segments, ReadIssue):
        yield segments
    elif not isinstance(segments, list):
        yield problem(transcript_path, 1, "a transcript must be a list of segments")
    else:
        yield _map(path, metadata, segments)


def _map(path: Path, meta: dict[str, Any], segments: list[Any]) -> ReadItem:
    if not has_keys(meta, "sid", "start_time_ms"):
        return problem(path, 1, "not a Harper Valley Bank metadata file (no sid and start_time_ms)")
    start_ms, end_ms = meta.get("start_time_ms"), meta.get("end_time_ms")
    agent, caller = meta.get("agent") or {}, meta.get("caller") or {}
    tasks = [t for t in meta.get("tasks") or [] if isinstance(t, dict)]
    responses = [r.get("data") for r in agent.get("responses") or [] if isinstance(r, dict)]
    caller_survey = (caller.get("survey_response") or {}).get("data") or {}
    agent_survey = (agent.get("survey_response") or {}).get("data") or {}
    ordered = sorted((s for s in segments if isinstance(s, dict)), key=lambda s: (_start_ms(s) or 0, s.get("index", 0)))
    return record(
        path,
        1,
        {
            "id": f"hvb-{meta['sid']}",
            "channel": "call",
            "started_at": _utc(start_ms),
            "duration_s": (end_ms - start_ms) / 1000 if isinstance(end_ms, int) and isinstance(start_ms, int) else None,
            "agent": (agent.get("metadata") or {}).get("agent_name"),
            "customer": (caller.get("metadata") or {}).get("first and last name"),
            "team": meta.get("session"),
            "queue": tasks[0].get("task_type") if tasks else None,
            "tags": list(dict.fromkeys(str(t["task_type"]) for t in tasks if t.get("task_type"))),
            "outcome": "resolved" if tasks and all(t in responses for t in tasks) else "unresolved",
            "language": LANGUAGE,
            "turns": [_turn(s) for s in ordered],
            "metadata": {
                "source": "gridspace-stanford-harper-valley",
                "caller_rating": _rating(caller_survey.get("partner_rating")),
                "caller_ease_of_connection": _rating(caller_survey.get("ease_of_connection")),
                "caller_comments": caller_survey.get("additional_comments"),
                "agent_rating_of_caller": _rating(agent_survey.get("partner_rating")),
                "labels": meta.get("labels"),
                "tasks": tasks,
                "agent_responses": responses,
                "caller_hung_up": caller.get("hangup_time_ms") is not None,
            },
        },
    )


def _turn(segment: dict[str, Any]) -> dict[str, Any]:
    human = (segment.get("human_transcript") or "").strip()
    text = human or (segment.get("transcript") or "").strip()
    start, length = _start_ms(segment), segment.get("duration_ms")
    offset = start / 1000 if isinstance(start, int | float) else None
    end = (start + length) / 1000 if isinstance(start, int | float) and isinstance(length, int | float) else None
    # An unknown role is passed on as it is, so the import reports it as a bad speaker.
    speaker = SPEAKERS.get(str(segment.get("speaker_role")), str(segment.get("speaker_role")))
    return turn(speaker, text, offset, end)


def _start_ms(segment: dict[str, Any]) -> int | float | None:
    """When the segment starts on the call's clock: `offset_ms`, else its channel's `start_ms`."""
    for key in ("offset_ms", "start_ms"):
        value = segment.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
    return None


def _utc(epoch_ms: Any) -> str | None:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).isoformat() if isinstance(epoch_ms, int | float) else None


def _rating(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


FORMAT = DatasetFormat(
    name=NAME,
    title="Harper Valley Bank calls (metadata/*.json with transcript/*.json)",
    claims_folder=claims_folder,
    claims_file=claims_file,
    files=files,
    read_file=read_file,
)
