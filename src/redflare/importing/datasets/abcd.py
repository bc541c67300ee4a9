"""ASAPP ABCD (a JSON list of conversations, or DialogStudio's copy in the same format) → appendix D.

- id `abcd-<convo_id>`, channel chat, language en, no times (the corpus has none);
- turns from `original` = [speaker, text] pairs: agent → agent, customer → customer, and the
  agent's `action` entries (what they did in the tools, e.g. "Account has been pulled up …") →
  system turns;
- customer = scenario.personal.customer_name; team = scenario.flow; queue and tags = scenario.subflow;
- metadata: the customer's membership level, the order and the products from the scenario.

DialogStudio's copy repeats three conversations of `abcd_sample.json` word for word; the import
recognises them by their ids.
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

NAME = "abcd"
SPEAKERS = {"agent": "agent", "customer": "customer", "action": "system"}


def claims_file(path: Path) -> bool:
    return has_keys(first_json_value(path), "convo_id", "original", "scenario")


def claims_folder(path: Path) -> bool:
    return bool(files(path))


def files(path: Path) -> list[Path]:
    return files_where(path, claims_file)


def read_file(path: Path) -> Iterator[ReadItem]:
    for item in json_records(path):
        if isinstance(item, ReadIssue):
            yield item
            continue
        line, value = item
        if not has_keys(value, "convo_id", "original"):
            yield problem(path, line, "not an ABCD conversation (no convo_id and original)")
            continue
        yield _map(path, line, value)


def _map(path: Path, line: int, conversation: dict[str, Any]) -> ReadItem:
    scenario = conversation.get("scenario") or {}
    personal = scenario.get("personal") or {}
    turns = []
    for index, pair in enumerate(conversation["original"]):
        if not (isinstance(pair, list) and len(pair) == 2):
            return problem(path, line, f"original[{index}] is not a [speaker, text] pair")
        speaker, text = pair
        # An unknown speaker is passed on as it is, so the import reports it.
        turns.append(turn(SPEAKERS.get(str(speaker), str(speaker)), str(text)))
    subflow = scenario.get("subflow")
    return record(
        path,
        line,
        {
            "id": f"abcd-{conversation['convo_id']}",
            "channel": "chat",
            "customer": personal.get("customer_name"),
            "team": scenario.get("flow"),
            "queue": subflow,
            "tags": [subflow] if subflow else [],
            "language": LANGUAGE,
            "turns": turns,
            "metadata": {
                "source": "asappresearch/abcd",
                "member_level": personal.get("member_level"),
                "order": scenario.get("order"),
                "product": scenario.get("product"),
            },
        },
    )


FORMAT = DatasetFormat(
    name=NAME,
    title="ABCD conversations (convo_id, scenario, original)",
    claims_folder=claims_folder,
    claims_file=claims_file,
    files=files,
    read_file=read_file,
)
