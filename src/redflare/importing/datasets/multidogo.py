"""Amazon MultiDoGO turn-level TSVs (`<domain>.tsv`, customer turns only) → appendix D.

Columns: conversationId, turnNumber, utteranceId, utterance, slot-labels, intent.
- one conversation per conversationId, its rows in file order: id `mdg-<conversationId>`,
  channel chat, language en, team = the domain (the file's name);
- every row is a customer turn (the agent's turns are not in these files: the gaps in
  turnNumber are where they were; `metadata.turn_numbers` keeps the numbers); whitespace in an
  utterance is collapsed; a row with an empty utterance adds no turn;
- intents (several joined by `<div>`): the task intents — all but the dialogue acts
  (greetings, confirmation, thanks …) — become tags, the first of them the queue; each turn's
  intents are kept in `metadata.intents`.

Reading: SOURCE.md suggests `csv.QUOTE_NONE`, but the test splits quote the ~100 utterances that
hold a newline or a tab (pasted addresses, menus), and reading them unquoted breaks each into
several malformed rows. Standard CSV quoting reads every row of these files whole; a row that
still has the wrong number of cells is a bad row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redflare.importing.datasets.base import LANGUAGE, DatasetFormat, files_where, problem
from redflare.importing.readers import RawRecord, ReadIssue, ReadItem, read_text

NAME = "multidogo"
HEADER = ("conversationId", "turnNumber", "utteranceId", "utterance", "slot-labels", "intent")
DIALOGUE_ACTS = frozenset(
    {"contentonly", "confirmation", "rejection", "openinggreeting", "closinggreeting", "thankyou", "outofdomain"}
)
INTENT_SEPARATOR = "<div>"


def claims_file(path: Path) -> bool:
    if path.suffix.lower() != ".tsv" or not path.is_file():
        return False
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        return tuple(handle.readline().rstrip("\r\n").split("\t")) == HEADER


def claims_folder(path: Path) -> bool:
    return bool(files(path))


def files(path: Path) -> list[Path]:
    return files_where(path, claims_file, depth=2)


def read_file(path: Path) -> Iterator[ReadItem]:
    text = read_text(path)
    if isinstance(text, ReadIssue):
        yield text
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = tuple(next(reader, ()))
    if header != HEADER:
        yield problem(path, 1, f"not a MultiDoGO file: the header is not {' / '.join(HEADER)}")
        return
    conversations: dict[str, list[tuple[int, list[str]]]] = {}
    for row in reader:
        line = reader.line_num - row_lines(row) + 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(HEADER):
            yield problem(path, line, f"has {len(row)} cells, expected {len(HEADER)}")
        elif not row[0].strip():
            yield problem(path, line, "conversationId is empty")
        else:
            conversations.setdefault(row[0].strip(), []).append((line, row))
    for conversation_id, rows in conversations.items():
        yield _map(path, path.stem, conversation_id, rows)


def row_lines(row: list[str]) -> int:
    """How many physical lines a row took (quoted cells may hold newlines)."""
    return 1 + sum(cell.count("\n") for cell in row)


def _map(path: Path, domain: str, conversation_id: str, rows: list[tuple[int, list[str]]]) -> RawRecord:
    turns: list[dict[str, Any]] = []
    turn_lines: list[int] = []
    turn_numbers: list[int | str] = []
    intents: list[list[str]] = []
    for line, row in rows:
        text = " ".join(row[3].split())
        if not text:
            continue
        turns.append({"speaker": "customer", "text": text})
        turn_lines.append(line)
        turn_numbers.append(_turn_number(row[1]))
        intents.append([i.strip() for i in row[5].split(INTENT_SEPARATOR) if i.strip()])
    tasks = list(dict.fromkeys(i for turn_intents in intents for i in turn_intents if i not in DIALOGUE_ACTS))
    data: dict[str, Any] = {
        "id": f"mdg-{conversation_id}",
        "channel": "chat",
        "team": domain,
        "language": LANGUAGE,
        "tags": tasks,
        "turns": turns,
        "metadata": {
            "source": "awslabs/multi-domain-goal-oriented-dialogues-dataset",
            "turn_numbers": turn_numbers,
            "intents": intents,
            "agent_turns_missing": True,
        },
    }
    if tasks:
        data["queue"] = tasks[0]
    return RawRecord(path, rows[0][0], data, tuple(turn_lines))


def _turn_number(text: str) -> int | str:
    """Turn numbers are written `4` in most files and `4.0` in one."""
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else text


FORMAT = DatasetFormat(
    name=NAME,
    title="MultiDoGO turn-level TSV (customer turns)",
    claims_folder=claims_folder,
    claims_file=claims_file,
    files=files,
    read_file=read_file,
)
