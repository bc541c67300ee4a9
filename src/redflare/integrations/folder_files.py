"""What a folder integration finds in its folder: the files that are new, and what reading them gives.

No database here: `find_files` lists the folder, `read_files` reads the chosen files. A file is named by
its path relative to the folder (POSIX separators); hidden entries are skipped. Conversation files are
appendix D's JSON, JSONL and CSV (read by `importing.readers`, validated by `importing.schema`); audio
files are WAV, FLAC and MP3.

Reading is all or nothing per file: a file with any bad row is bad as a whole (its reasons kept) and none
of its conversations is kept. The same id in two files must be the same conversation; otherwise the later
file is bad. An audio file no conversation refers to is left to the caller (`orphan_audio`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from redflare.domain.conversation import Conversation
from redflare.domain.errors import Issue
from redflare.importing import readers
from redflare.importing.readers import NATIVE_SUFFIXES, ReadIssue
from redflare.importing.schema import AUDIO_SUFFIXES, parse_record, to_domain


@dataclass(frozen=True, slots=True)
class FolderFile:
    """One file of the folder, as its identity for "seen before": name, size and modification time."""

    name: str
    path: Path
    size: int
    mtime_ns: int

    @property
    def is_audio(self) -> bool:
        return self.path.suffix.lower() in AUDIO_SUFFIXES

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.name, self.size, self.mtime_ns)


@dataclass
class FolderRead:
    """What reading the new files gave: good conversations by id, bad files with their reasons, records read."""

    conversations: dict[str, Conversation] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # conversation id → the file it came from
    bad: dict[str, list[Issue]] = field(default_factory=dict)
    records: int = 0

    def orphan_audio(self, files: list[FolderFile]) -> list[FolderFile]:
        """The audio files among `files` that no conversation read here refers to."""
        referred = {c.audio for c in self.conversations.values() if c.audio}
        return [f for f in files if f.is_audio and str(f.path.resolve()) not in referred]


def find_files(folder: Path) -> list[FolderFile]:
    """Every conversation and audio file under `folder`, by name."""
    found = []
    for path in _walk(folder):
        if path.suffix.lower() not in NATIVE_SUFFIXES | AUDIO_SUFFIXES:
            continue
        try:
            stat = path.stat()
        except OSError:
            continue  # gone since the listing: the next scan sees what is there then
        found.append(FolderFile(path.relative_to(folder).as_posix(), path, stat.st_size, stat.st_mtime_ns))
    return sorted(found, key=lambda f: f.name)


def read_files(folder: Path, files: list[FolderFile], integration: str) -> FolderRead:
    """Read and validate the conversation files among `files` (see the module docstring)."""
    result = FolderRead()
    for file in files:
        if file.is_audio:
            continue
        kept: dict[str, Conversation] = {}
        issues: list[Issue] = []
        for item in readers.read_file(file.path):
            if isinstance(item, ReadIssue):
                issues.append(Issue(_relative(folder, item.where), item.message))
                continue
            result.records += 1
            parsed = parse_record(item)
            if isinstance(parsed, list):
                issues.extend(Issue(_relative(folder, i.path), i.message) for i in parsed)
                continue
            conversation = to_domain(parsed, integration)
            where = _relative(folder, item.where)
            here, earlier = kept.get(conversation.id), result.conversations.get(conversation.id)
            if here is not None and here != conversation:
                issues.append(Issue(where, f"id {conversation.id} appears earlier in this file, differently"))
            elif earlier is not None and earlier != conversation:
                issues.append(Issue(where, f"id {conversation.id} is also in {result.sources[conversation.id]}"))
            kept.setdefault(conversation.id, conversation)
        if issues:
            result.bad[file.name] = issues
            continue
        for conversation_id, conversation in kept.items():
            result.conversations.setdefault(conversation_id, conversation)
            result.sources.setdefault(conversation_id, file.name)
    return result


def _walk(folder: Path) -> Iterator[Path]:
    for child in sorted(folder.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child)
        elif child.is_file():
            yield child


def _relative(folder: Path, where: str) -> str:
    return where.removeprefix(f"{folder}/")
