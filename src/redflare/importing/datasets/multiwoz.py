"""MultiWOZ (DialogStudio's MultiWOZ 2.2 examples, ConvLab-3's unified MultiWOZ 2.1) → appendix D.

- MultiWOZ 2.2: {dialogue_id, services, turns[{speaker USER|SYSTEM, utterance}]};
  ConvLab: {dataset: multiwoz21, original_id, domains, turns[{speaker user|system, utterance}]};
- id `mwoz-<dialogue id>` without its `.json` (`mwoz-SNG01856`), channel chat, language en, no times;
- USER → customer, SYSTEM → agent (the Wizard-of-Oz clerk of a tourist information desk);
- team = the services (domains) joined by ", ", ConvLab's catch-all `general` left out;
- metadata: services, data split.
"""

from __future__ import annotations

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

NAME = "multiwoz"
SPEAKERS = {"user": "customer", "system": "agent"}


def _is_multiwoz(value: Any) -> bool:
    return has_keys(value, "dialogue_id", "services", "turns") or (
        has_keys(value, "dataset", "original_id", "turns") and str(value["dataset"]).startswith("multiwoz")
    )


def claims_file(path: Path) -> bool:
    return _is_multiwoz(first_json_value(path))


def claims_folder(path: Path) -> bool:
    return bool(files(path))


def files(path: Path) -> list[Path]:
    return files_where(path, claims_file)


def read_file(path: Path) -> Iterator[ReadItem]:
    for item in json_records(path):
        if isinstance(item, ReadIssue):
            yield item
        elif not _is_multiwoz(item[1]):
            yield problem(path, item[0], "not a MultiWOZ dialogue (no dialogue id, services and turns)")
        else:
            yield _map(path, *item)


def _map(path: Path, line: int, dialogue: dict[str, Any]) -> ReadItem:
    convlab = "original_id" in dialogue
    name = str(dialogue["original_id"] if convlab else dialogue["dialogue_id"]).removesuffix(".json")
    services = [str(s) for s in (dialogue.get("domains") if convlab else dialogue.get("services")) or []]
    services = [s for s in services if s != "general"]
    if not isinstance(dialogue["turns"], list):
        return problem(path, line, "the turns are not a list")
    turns = []
    for index, entry in enumerate(dialogue["turns"]):
        if not isinstance(entry, dict):
            return problem(path, line, f"turn {index} is not an object")
        speaker = str(entry.get("speaker", ""))
        turns.append(turn(SPEAKERS.get(speaker.lower(), speaker), str(entry.get("utterance", ""))))
    return record(
        path,
        line,
        {
            "id": f"mwoz-{name}",
            "channel": "chat",
            "team": ", ".join(services) or None,
            "language": LANGUAGE,
            "turns": turns,
            "metadata": {
                "source": "ConvLab-3 unified multiwoz21" if convlab else "MultiWOZ 2.2 (DialogStudio)",
                "services": services,
                "data_split": dialogue.get("data_split"),
            },
        },
    )


FORMAT = DatasetFormat(
    name=NAME,
    title="MultiWOZ dialogues (2.2, or ConvLab's unified 2.1)",
    claims_folder=claims_folder,
    claims_file=claims_file,
    files=files,
    read_file=read_file,
)
