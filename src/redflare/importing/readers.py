"""Readers for the native import format (SPEC appendix D): JSON, JSONL and CSV files, or folders of them.

Every reader yields `RawRecord`s (one conversation as a plain mapping, with the file and line it
starts on) and `ReadIssue`s (a row that could not be read), so every problem names `file:line`.
Validation of the fields is the schema's job; readers only find the records.

- JSON: one object, or a list of objects; a record's line is where its object starts.
- JSONL: one object a line; blank lines are skipped.
- CSV: one row per turn, the conversation's fields repeated on each row (UTF-8, comma-separated,
  a header row). Columns:

    id (required), channel, started_at, duration_s, agent, customer, team, queue,
    tags (separated by `|`), outcome, language, audio   — the conversation's fields;
    speaker, text, offset_s, end_s                      — the turn on this row;
    metadata.<key>                                      — one metadata entry per column.

  Rows with the same id make one conversation, in order; its line is its first row's. A
  conversation field may be left empty on later rows, but a value that differs from an earlier
  row's is an error. A row whose speaker, text, offset_s and end_s are all empty adds no turn (an
  audio-only conversation is one such row). Other columns go to metadata, as unknown keys do in
  JSON. Metadata cells holding a JSON number, true, false or null are read as such; the rest is text.
- A folder is read recursively (hidden entries skipped) in name order; only .json, .jsonl and .csv
  files are read — audio files are referenced from the records.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NATIVE_SUFFIXES = frozenset({".json", ".jsonl", ".csv"})
CONVERSATION_COLUMNS = (
    "id",
    "channel",
    "started_at",
    "duration_s",
    "agent",
    "customer",
    "team",
    "queue",
    "tags",
    "outcome",
    "language",
    "audio",
)
TURN_COLUMNS = ("speaker", "text", "offset_s", "end_s")
METADATA_PREFIX = "metadata."
TAG_SEPARATOR = "|"
_NEWLINE = re.compile("\n")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One conversation as read, before validation.

    `turn_lines` gives, for CSV, the line of each turn's row, so an error in `turns[3]` can name the
    row it came from; other readers leave it empty and errors name the record's line.
    """

    source: Path
    line: int
    data: dict[str, Any]
    turn_lines: tuple[int, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True)
class ReadIssue:
    """A row or file that could not be read as a record."""

    source: Path
    line: int
    message: str

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


ReadItem = RawRecord | ReadIssue


def files(path: Path) -> list[Path]:
    """The native files a path stands for: itself, or every .json/.jsonl/.csv under a folder."""
    if path.is_file():
        return [path]
    return sorted(p for p in _walk(path) if p.suffix.lower() in NATIVE_SUFFIXES)


def _walk(folder: Path) -> Iterator[Path]:
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child)
        elif child.is_file():
            yield child


def read_file(path: Path) -> Iterator[ReadItem]:
    """Raw records of one file, by its suffix (.jsonl, .csv; anything else is read as JSON)."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(path)
    if suffix == ".csv":
        return read_csv(path)
    return read_json(path)


def read_text(path: Path) -> str | ReadIssue:
    """The file's text (UTF-8, a byte-order mark allowed), or why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        return ReadIssue(path, line, "not UTF-8 text")
    except OSError as exc:
        return ReadIssue(path, 1, f"cannot be read: {exc.strerror or exc}")


# -- JSON ------------------------------------------------------------------------------------


class _Lines:
    """Character offset → 1-based line number, for a text read once."""

    def __init__(self, text: str) -> None:
        self._starts = [match.start() for match in _NEWLINE.finditer(text)]

    def at(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset - 1) + 1


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


# Python's json reads NaN and Infinity, which JSON (and PostgreSQL's jsonb) does not allow.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def iter_json_values(path: Path, text: str) -> Iterator[tuple[int, Any] | ReadIssue]:
    """The top-level value of a JSON text, or each element of a top-level list, with its line.

    Decoding element by element is what lets a record name its line; a syntax error ends the file
    (a ReadIssue at the line where it is) after the elements before it.
    """
    decoder = _DECODER
    lines = _Lines(text)
    index = _skip_space(text, 0)
    if index == len(text):
        yield ReadIssue(path, 1, "the file is empty")
        return
    try:
        if text[index] != "[":
            value, end = decoder.raw_decode(text, index)
            if _skip_space(text, end) != len(text):
                yield ReadIssue(path, lines.at(end), "not valid JSON: extra data after the value")
                return
            yield lines.at(index), value
            return
        index = _skip_space(text, index + 1)
        if index < len(text) and text[index] == "]":
            return
        while True:
            value, end = decoder.raw_decode(text, index)
            yield lines.at(index), value
            index = _skip_space(text, end)
            if index < len(text) and text[index] == ",":
                index = _skip_space(text, index + 1)
                continue
            if index < len(text) and text[index] == "]":
                if _skip_space(text, index + 1) != len(text):
                    yield ReadIssue(path, lines.at(index + 1), "not valid JSON: extra data after the list")
                return
            yield ReadIssue(path, lines.at(index), "not valid JSON: expected ',' or ']'")
            return
    except json.JSONDecodeError as exc:
        yield ReadIssue(path, exc.lineno, f"not valid JSON: {exc.msg}")
    except ValueError as exc:  # a NaN or Infinity constant
        yield ReadIssue(path, lines.at(index), f"not valid JSON: {exc}")


def read_json(path: Path) -> Iterator[ReadItem]:
    """Records of a JSON file: one object, or a list of objects."""
    text = read_text(path)
    if isinstance(text, ReadIssue):
        yield text
        return
    for item in iter_json_values(path, text):
        if isinstance(item, ReadIssue):
            yield item
            continue
        line, value = item
        if isinstance(value, dict):
            yield RawRecord(path, line, value)
        else:
            yield ReadIssue(path, line, f"expected a conversation object, found {_json_kind(value)}")


def read_jsonl(path: Path) -> Iterator[ReadItem]:
    """Records of a JSONL file: one object a line."""
    text = read_text(path)
    if isinstance(text, ReadIssue):
        yield text
        return
    # Split on newlines only: str.splitlines would also split inside texts holding U+2028 and kin.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            yield ReadIssue(path, number, f"not valid JSON: {exc.msg}")
            continue
        except ValueError as exc:  # a NaN or Infinity constant
            yield ReadIssue(path, number, f"not valid JSON: {exc}")
            continue
        if isinstance(value, dict):
            yield RawRecord(path, number, value)
        else:
            yield ReadIssue(path, number, f"expected a conversation object, found {_json_kind(value)}")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


# -- CSV -------------------------------------------------------------------------------------


@dataclass
class _CsvConversation:
    line: int
    fields: dict[str, str]
    field_lines: dict[str, int]
    metadata: dict[str, str]
    turns: list[dict[str, str]]
    turn_lines: list[int]
    issue: ReadIssue | None = None


def read_csv(path: Path) -> Iterator[ReadItem]:
    """Records of a CSV file with one row per turn (columns in the module docstring)."""
    text = read_text(path)
    if isinstance(text, ReadIssue):
        yield text
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        yield ReadIssue(path, 1, "the file is empty")
        return
    except csv.Error as exc:
        yield ReadIssue(path, 1, f"not valid CSV: {exc}")
        return
    if "id" not in header:
        yield ReadIssue(path, 1, "the header has no id column")
        return
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        yield ReadIssue(path, 1, f"the header repeats column(s) {', '.join(duplicates)}")
        return
    conversations: dict[str, _CsvConversation] = {}
    issues: list[ReadIssue] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            issues.append(ReadIssue(path, reader.line_num, f"not valid CSV: {exc}"))
            break
        # line_num is where the row ends; a quoted cell may have carried it over several lines.
        line = reader.line_num - sum(cell.count("\n") for cell in row)
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            issues.append(ReadIssue(path, line, f"has {len(row)} cells, the header has {len(header)}"))
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        conversation_id = cells["id"]
        if not conversation_id:
            issues.append(ReadIssue(path, line, "id is empty"))
            continue
        conversation = conversations.get(conversation_id)
        if conversation is None:
            conversation = conversations[conversation_id] = _CsvConversation(line, {}, {}, {}, [], [])
        _add_row(path, line, cells, conversation)
    for conversation in conversations.values():
        if conversation.issue is not None:
            yield conversation.issue
        else:
            yield RawRecord(path, conversation.line, _csv_record(conversation), tuple(conversation.turn_lines))
    yield from issues


def _add_row(path: Path, line: int, cells: dict[str, str], conversation: _CsvConversation) -> None:
    if conversation.issue is not None:
        return
    for name, value in cells.items():
        if not value or name in TURN_COLUMNS:
            continue
        if name in CONVERSATION_COLUMNS:
            target, key, slot = conversation.fields, name, name
        else:
            key = name.removeprefix(METADATA_PREFIX)
            target, slot = conversation.metadata, METADATA_PREFIX + key
        earlier = target.get(key)
        if earlier is None:
            target[key] = value
            conversation.field_lines[slot] = line
        elif earlier != value:
            first = conversation.field_lines[slot]
            message = f"{name} is {value!r} here but {earlier!r} on line {first}"
            conversation.issue = ReadIssue(path, line, message)
            return
    turn = {name: cells[name] for name in TURN_COLUMNS if cells.get(name)}
    if turn:
        conversation.turns.append(turn)
        conversation.turn_lines.append(line)


def _csv_record(conversation: _CsvConversation) -> dict[str, Any]:
    record: dict[str, Any] = dict(conversation.fields)
    if "tags" in record:
        record["tags"] = [tag.strip() for tag in record["tags"].split(TAG_SEPARATOR) if tag.strip()]
    record["turns"] = conversation.turns
    if conversation.metadata:
        record["metadata"] = {key: _metadata_value(value) for key, value in conversation.metadata.items()}
    return record


def _metadata_value(text: str) -> Any:
    """A JSON number, true, false or null as such; any other text as it is."""
    if text in ("true", "false", "null") or text[:1] in "-0123456789":
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if value is None or isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
            return value
    return text
