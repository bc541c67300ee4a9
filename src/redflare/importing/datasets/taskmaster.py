"""Google Taskmaster (TM-1 … TM-4, and the DialogStudio and ConvLab copies) → appendix D.

Two layouts:
- Taskmaster's own (`TM-1-2019/sample.json`, `TM-4-2024/data_07.json`, DialogStudio's
  `dialogstudio_tm{1,2,3}_examples.json`): {conversation_id, utterances[{speaker, text}], and
  instruction_id (TM-1/2) or vertical and scenario (TM-3/4)}; the release (tm1 … tm4) is read from
  the file's or its folder's name;
- ConvLab-3's unified one (`convlab3_tm{1,2}_dummy_data.json`): {dataset: tm1|tm2|tm3, original_id,
  domains, turns[{speaker, utterance}]}.

- id `<release>-<conversation id>` (ConvLab's `original_id`), e.g. `tm4-dlg-35143226-…`;
  channel chat, language en, no times;
- speaker USER/user → customer, ASSISTANT/assistant/system → agent;
- team = the vertical (TM-3/4), DialogStudio's file name (TM-2), ConvLab's domains, or the
  instruction's topic (`restaurant-table-2` → `restaurant`); queue = instruction_id;
- metadata: scenario, instruction_id, domains, data split.

TM-1's `sample.json` and DialogStudio's first TM-1 example are the same dialogue (one typo apart):
they share an id, and the import keeps the one read first (the original release, read first
because a folder is read in name order and `TM-…` sorts before `dialogstudio_…`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redflare.importing.datasets.base import (
    LANGUAGE,
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

NAME = "taskmaster"
SPEAKERS = {"user": "customer", "assistant": "agent", "system": "agent"}
RELEASE = re.compile(r"tm-?([1-9])", re.IGNORECASE)
CONVLAB_RELEASES = frozenset({"tm1", "tm2", "tm3"})


def _is_taskmaster(value: Any) -> bool:
    return has_keys(value, "conversation_id", "utterances") or (
        has_keys(value, "dataset", "original_id", "turns") and value["dataset"] in CONVLAB_RELEASES
    )


def claims_file(path: Path) -> bool:
    return _is_taskmaster(first_json_value(path))


def claims_folder(path: Path) -> bool:
    return bool(files_where(path, claims_file, depth=1)) or any(
        child.is_dir() and RELEASE.match(child.name) and files_where(child, claims_file) for child in path.iterdir()
    )


def files(path: Path) -> list[Path]:
    return files_where(path, claims_file, depth=2)


def release_of(path: Path) -> str:
    """tm1 … tm4 from the file's name or the nearest folder's that says (`TM-4-2024`, `…_tm2_…`)."""
    for part in (path.stem, *(p.name for p in path.parents)):
        match = RELEASE.search(part)
        if match:
            return f"tm{match.group(1)}"
    return "tm"


def read_file(path: Path) -> Iterator[ReadItem]:
    release = release_of(path)
    for item in json_records(path):
        if isinstance(item, ReadIssue):
            yield item
            continue
        line, value = item
        if has_keys(value, "conversation_id", "utterances"):
            yield _map_original(path, line, value, release)
        elif has_keys(value, "dataset", "original_id", "turns"):
            yield _map_convlab(path, line, value)
        else:
            yield problem(path, line, "not a Taskmaster dialogue (no conversation_id and utterances)")


def _turns(path: Path, line: int, items: Any, text_key: str) -> list[dict[str, Any]] | ReadItem:
    if not isinstance(items, list):
        return problem(path, line, "the utterances are not a list")
    turns = []
    for index, utterance in enumerate(items):
        if not isinstance(utterance, dict):
            return problem(path, line, f"utterance {index} is not an object")
        speaker = str(utterance.get("speaker", ""))
        # An unknown speaker is passed on as it is, so the import reports it.
        turns.append(turn(SPEAKERS.get(speaker.lower(), speaker), str(utterance.get(text_key, ""))))
    return turns


def _map_original(path: Path, line: int, dialogue: dict[str, Any], release: str) -> ReadItem:
    turns = _turns(path, line, dialogue["utterances"], "text")
    if not isinstance(turns, list):
        return turns
    instruction = dialogue.get("instruction_id")
    topic = str(instruction).split("-", 1)[0] if instruction else None
    return record(
        path,
        line,
        {
            "id": f"{release}-{dialogue['conversation_id']}",
            "channel": "chat",
            "team": dialogue.get("vertical") or dialogue.get("filename") or topic,
            "queue": instruction,
            "language": LANGUAGE,
            "turns": turns,
            "metadata": {
                "source": "google-research-datasets/Taskmaster",
                "release": release,
                "instruction_id": instruction,
                "scenario": dialogue.get("scenario"),
            },
        },
    )


def _map_convlab(path: Path, line: int, dialogue: dict[str, Any]) -> ReadItem:
    turns = _turns(path, line, dialogue["turns"], "utterance")
    if not isinstance(turns, list):
        return turns
    domains = [str(d) for d in dialogue.get("domains") or []]
    return record(
        path,
        line,
        {
            "id": f"{dialogue['dataset']}-{dialogue['original_id']}",
            "channel": "chat",
            "team": ", ".join(domains) or None,
            "language": LANGUAGE,
            "turns": turns,
            "metadata": {
                "source": "ConvLab-3 unified " + str(dialogue["dataset"]),
                "release": dialogue["dataset"],
                "domains": domains,
                "data_split": dialogue.get("data_split"),
            },
        },
    )


FORMAT = DatasetFormat(
    name=NAME,
    title="Taskmaster dialogues (TM-1 … TM-4, DialogStudio and ConvLab copies)",
    claims_folder=claims_folder,
    claims_file=claims_file,
    files=files,
    read_file=read_file,
)
