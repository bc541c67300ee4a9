"""One conversation of SPEC appendix D, validated, and its translation into the domain `Conversation`.

Contract:
- required: `id` (text, or a whole number read as text), `channel` (call, chat, email), and
  `turns` or `audio`;
- `speaker` is agent, customer or system (any letter case); a turn has `text` and optional
  `offset_s` / `end_s` (seconds from the start, ≥ 0, end not before offset); other turn keys are errors;
- `started_at` is ISO 8601 text with a zone (`Z` or an offset): a time without one is an error;
  it is kept in UTC;
- `duration_s` ≥ 0; `tags` a list of strings; text fields fit their stored columns;
- `audio` is a WAV, FLAC or MP3 path relative to the imported file (the `base_dir` validation
  context); it must exist and is kept as an absolute path;
- unknown keys go to `metadata` (an entry given in `metadata` itself wins over a same-named key).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from redflare.domain.conversation import Channel, Conversation, Speaker, Turn
from redflare.domain.errors import Issue
from redflare.domain.loading import format_loc
from redflare.importing.readers import RawRecord

AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3"})
ID_MAX = 200
TEXT_MAX = 200
LANGUAGE_MAX = 20
_OPTIONAL_TEXT = ("agent", "customer", "team", "queue", "outcome", "language", "audio")


class TurnRecord(BaseModel):
    """One turn: who spoke, what, and when (seconds from the start of the conversation)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speaker: Speaker
    text: str
    offset_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    end_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    @field_validator("speaker", mode="before")
    @classmethod
    def _any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ends_after_start(self) -> TurnRecord:
        if self.offset_s is not None and self.end_s is not None and self.end_s < self.offset_s:
            raise ValueError(f"end_s {self.end_s} is before offset_s {self.offset_s}")
        return self


class ConversationRecord(BaseModel):
    """One conversation in the import format (SPEC appendix D)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=ID_MAX)
    channel: Channel
    started_at: datetime | None = None
    duration_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    agent: str | None = Field(default=None, max_length=TEXT_MAX)
    customer: str | None = Field(default=None, max_length=TEXT_MAX)
    team: str | None = Field(default=None, max_length=TEXT_MAX)
    queue: str | None = Field(default=None, max_length=TEXT_MAX)
    tags: list[str] = Field(default_factory=list)
    outcome: str | None = Field(default=None, max_length=TEXT_MAX)
    language: str | None = Field(default=None, max_length=LANGUAGE_MAX)
    turns: list[TurnRecord] = Field(default_factory=list)
    audio: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        names = _field_names(cls)
        known = {name: value for name, value in data.items() if name in names}
        unknown = {name: value for name, value in data.items() if name not in names}
        if unknown:
            given = known.get("metadata")
            if given is not None and not isinstance(given, Mapping):
                return known  # let the metadata field report its own type error
            known["metadata"] = {**unknown, **(given or {})}
        if isinstance(known.get("id"), int) and not isinstance(known["id"], bool):
            known["id"] = str(known["id"])
        if isinstance(known.get("id"), str):
            known["id"] = known["id"].strip()
        for name in _OPTIONAL_TEXT:
            value = known.get(name)
            if isinstance(value, str):
                known[name] = value.strip() or None
        if isinstance(known.get("channel"), str):
            known["channel"] = known["channel"].strip().lower()
        return known

    @field_validator("started_at", mode="before")
    @classmethod
    def _zoned_iso_time(cls, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{value!r} is not an ISO 8601 time") from None
        if not isinstance(value, datetime):
            raise ValueError("give an ISO 8601 time as text, e.g. 2026-03-02T09:15:00Z")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a time without a zone is not accepted: add Z or an offset such as +01:00")
        return value.astimezone(UTC)

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, tags: list[str]) -> list[str]:
        cleaned = [tag.strip() for tag in tags]
        return list(dict.fromkeys(tag for tag in cleaned if tag))

    @field_validator("audio")
    @classmethod
    def _audio_file(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        context = info.context if isinstance(info.context, Mapping) else {}
        base = Path(context.get("base_dir") or Path.cwd())
        path = (base / value).resolve()
        if path.suffix.lower() not in AUDIO_SUFFIXES:
            raise ValueError(f"audio {value!r} is not a WAV, FLAC or MP3 file")
        if not path.is_file():
            raise ValueError(f"audio file {value!r} does not exist (looked for {path})")
        return str(path)

    @model_validator(mode="after")
    def _turns_or_audio(self) -> ConversationRecord:
        if not self.turns and self.audio is None:
            raise ValueError("a conversation needs turns or audio")
        return self


@cache
def _field_names(model: type[BaseModel]) -> frozenset[str]:
    # Looked up once: reading model_fields on every record is a measurable share of a large import.
    return frozenset(model.model_fields)


def to_domain(record: ConversationRecord, integration: str) -> Conversation:
    """The domain conversation a validated record stands for, under `integration`."""
    return Conversation(
        id=record.id,
        integration=integration,
        channel=record.channel,
        turns=tuple(Turn(t.speaker, t.text, t.offset_s, t.end_s) for t in record.turns),
        started_at=record.started_at,
        duration_s=record.duration_s,
        agent=record.agent,
        customer=record.customer,
        team=record.team,
        queue=record.queue,
        tags=tuple(record.tags),
        outcome=record.outcome,
        language=record.language,
        audio=record.audio,
        metadata=dict(record.metadata),
    )


def parse_record(raw: RawRecord, *, base_dir: Path | None = None) -> ConversationRecord | list[Issue]:
    """Validate one raw record; its issues name `file:line` (a CSV turn's error names that turn's row)."""
    context = {"base_dir": base_dir if base_dir is not None else raw.source.parent}
    try:
        return ConversationRecord.model_validate(raw.data, context=context)
    except ValidationError as exc:
        return _issues(raw, exc)


def _issues(raw: RawRecord, error: ValidationError) -> list[Issue]:
    by_line: dict[int, list[str]] = {}
    for detail in error.errors():
        loc = detail["loc"]
        line = raw.line
        if len(loc) >= 2 and loc[0] == "turns" and isinstance(loc[1], int) and loc[1] < len(raw.turn_lines):
            line = raw.turn_lines[loc[1]]
        by_line.setdefault(line, []).append(_message(loc, detail["msg"], detail.get("input"), detail["type"]))
    return [Issue(path=f"{raw.source}:{line}", message="; ".join(messages)) for line, messages in by_line.items()]


def _message(loc: tuple[int | str, ...], text: str, given: Any, kind: str) -> str:
    text = text.removeprefix("Value error, ")
    if kind == "missing":
        text = "is required"
    elif kind in {"enum", "literal_error"} and isinstance(given, str | int | float):
        text = f"{text} (got {given!r})"
    elif kind == "extra_forbidden":
        text = "is not a turn field (a turn has speaker, text, offset_s, end_s)"
    where = format_loc(loc)
    return f"{where}: {text}" if where else text
