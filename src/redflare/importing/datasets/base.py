"""What a dataset mapping provides, and the helpers the mappings share.

A mapping turns a public dataset's own files into appendix-D records (`RawRecord`s whose `data`
is in the import format), each tagged with its file and line (or, where a file has no useful
lines, its record index), so a bad one is reported like a bad row of a native file.

Conversation ids are the dataset's own, prefixed (`star-1001`, `hvb-0002f70f7386445b` …), because
ids are unique across integrations. Redistributed copies of a dataset (DialogStudio, ConvLab)
keep the original ids, so the same conversation read twice is recognised as one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from redflare.importing.readers import RawRecord, ReadIssue, ReadItem, iter_json_values, read_text

LANGUAGE = "en"  # every bundled dataset is in English


@dataclass(frozen=True, slots=True)
class DatasetFormat:
    """One dataset's layout: how to recognise it and read it.

    `claims_folder` is strict (the folder *is* this dataset, not merely contains one somewhere) so
    a folder of several datasets is split between them; `claims_file` recognises one of its files.
    """

    name: str
    title: str
    claims_folder: Callable[[Path], bool]
    claims_file: Callable[[Path], bool]
    files: Callable[[Path], list[Path]]
    read_file: Callable[[Path], Iterator[ReadItem]]

    def claims(self, path: Path) -> bool:
        return self.claims_folder(path) if path.is_dir() else self.claims_file(path)


@lru_cache(maxsize=256)
def _first_value(path: Path, _mtime_ns: int) -> Any:
    text = read_text(path)
    if isinstance(text, ReadIssue):
        return None
    for item in iter_json_values(path, text):
        return None if isinstance(item, ReadIssue) else item[1]
    return None


def first_json_value(path: Path) -> Any:
    """The first record of a JSON file (its object, or its list's first element), or None."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    return _first_value(path, path.stat().st_mtime_ns)


def json_records(path: Path) -> Iterator[tuple[int, Any] | ReadIssue]:
    """Each top-level value of a JSON file (a list's elements, or the one object) with its line."""
    text = read_text(path)
    if isinstance(text, ReadIssue):
        yield text
        return
    yield from iter_json_values(path, text)


def whole_json(path: Path) -> Any:
    """A JSON file's whole value, or a ReadIssue saying where it stops being JSON."""
    text = read_text(path)
    if isinstance(text, ReadIssue):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return ReadIssue(path, exc.lineno, f"not valid JSON: {exc.msg}")


def json_files(folder: Path) -> list[Path]:
    """The .json files directly in a folder, by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".json")


def files_where(path: Path, claims_file: Callable[[Path], bool], *, depth: int = 1) -> list[Path]:
    """The files a mapping reads: the path itself, or the claimed files in a folder (to `depth` levels)."""
    if path.is_file():
        return [path]
    found: list[Path] = []
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir() and depth > 1:
            found.extend(files_where(child, claims_file, depth=depth - 1))
        elif child.is_file() and claims_file(child):
            found.append(child)
    return found


def has_keys(value: Any, *keys: str) -> bool:
    return isinstance(value, dict) and all(key in value for key in keys)


def turn(speaker: str, text: str, offset_s: float | None = None, end_s: float | None = None) -> dict[str, Any]:
    """An appendix-D turn, leaving out the times a dataset does not have."""
    result: dict[str, Any] = {"speaker": speaker, "text": text}
    if offset_s is not None:
        result["offset_s"] = offset_s
    if end_s is not None:
        result["end_s"] = end_s
    return result


def record(source: Path, line: int, data: dict[str, Any]) -> RawRecord:
    """A mapped record, dropping empty optional fields so the import treats them as missing."""
    cleaned = {key: value for key, value in data.items() if value is not None and value != [] and value != {}}
    if isinstance(cleaned.get("metadata"), dict):
        cleaned["metadata"] = {key: value for key, value in cleaned["metadata"].items() if value is not None}
    cleaned.setdefault("turns", [])
    return RawRecord(source, line, cleaned)


def problem(source: Path, line: int, message: str) -> ReadIssue:
    return ReadIssue(source, line, message)
