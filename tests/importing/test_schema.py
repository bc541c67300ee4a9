"""The appendix-D record: what is accepted, what is refused and why, and the domain conversation it makes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redflare.domain.conversation import Channel, Speaker
from redflare.domain.errors import Issue
from redflare.importing.readers import RawRecord
from redflare.importing.schema import ConversationRecord, parse_record, to_domain

SOURCE = Path("calls.jsonl")


def _parse(data: dict[str, Any], *, line: int = 7, turn_lines: tuple[int, ...] = (), base: Path | None = None) -> Any:
    return parse_record(RawRecord(SOURCE, line, data, turn_lines), base_dir=base)


def _minimal(**fields: Any) -> dict[str, Any]:
    return {"id": "c-1", "channel": "chat", "turns": [{"speaker": "agent", "text": "Hello"}], **fields}


def _reasons(result: Any) -> str:
    assert isinstance(result, list), f"expected issues, got {result!r}"
    return " | ".join(issue.message for issue in result)


texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
names = st.text(st.characters(exclude_categories=["Cs", "Cc", "Zs", "Zl", "Zp"]), min_size=1, max_size=30)
turns = st.fixed_dictionaries(
    {"speaker": st.sampled_from(["agent", "customer", "system"]), "text": texts},
    optional={"offset_s": st.floats(min_value=0, max_value=1e5)},
)
records = st.fixed_dictionaries(
    {
        "id": names,
        "channel": st.sampled_from(["call", "chat", "email"]),
        "turns": st.lists(turns, min_size=1, max_size=5),
    },
    optional={
        "duration_s": st.floats(min_value=0, max_value=1e6),
        "agent": names,
        "team": names,
        "tags": st.lists(names, max_size=4, unique=True),
        "outcome": names,
    },
)


class TestConversationRecord:
    @given(records)
    def test_valid_records_keep_their_fields(self, data: dict[str, Any]) -> None:
        """Whatever a valid record says arrives in the domain conversation unchanged."""
        record = _parse(data)
        assert isinstance(record, ConversationRecord)
        conversation = to_domain(record, "demo")
        assert conversation.integration == "demo"
        assert conversation.id == data["id"]
        assert conversation.channel == Channel(data["channel"])
        assert [(t.speaker.value, t.text, t.offset_s) for t in conversation.turns] == [
            (t["speaker"], t["text"], t.get("offset_s")) for t in data["turns"]
        ]
        assert conversation.duration_s == data.get("duration_s")
        assert conversation.agent == data.get("agent")
        assert list(conversation.tags) == data.get("tags", [])

    @given(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
        st.integers(min_value=-14 * 60, max_value=14 * 60),
    )
    def test_zoned_times_are_kept_in_utc(self, local: datetime, offset_minutes: int) -> None:
        """A time with any offset is stored as the same instant, in UTC."""
        zoned = local.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
        record = _parse(_minimal(started_at=zoned.isoformat()))
        assert isinstance(record, ConversationRecord)
        assert record.started_at == zoned
        assert record.started_at is not None
        assert record.started_at.utcoffset() == timedelta(0)

    def test_z_suffix_means_utc(self) -> None:
        """The appendix's own example, `…Z`, reads as UTC."""
        record = _parse(_minimal(started_at="2026-03-02T09:15:00Z"))
        assert isinstance(record, ConversationRecord)
        assert datetime(2026, 3, 2, 9, 15, tzinfo=UTC) == record.started_at

    @pytest.mark.parametrize("value", ["2026-03-02T09:15:00", "2026-03-02 09:15", "2026-03-02"])
    def test_a_time_without_a_zone_is_refused(self, value: str) -> None:
        """A local time could be any instant: the row is refused and told to add a zone."""
        assert "started_at: a time without a zone" in _reasons(_parse(_minimal(started_at=value)))

    def test_a_time_that_is_not_iso_is_refused(self) -> None:
        """Free-form dates are not guessed at."""
        assert "not an ISO 8601 time" in _reasons(_parse(_minimal(started_at="March 2nd, 9am")))

    def test_an_unknown_speaker_is_named_with_its_turn(self) -> None:
        """The reason points at the turn and repeats the speaker that was given."""
        data = _minimal(turns=[{"speaker": "agent", "text": "Hi"}, {"speaker": "bot", "text": "Beep"}])
        reasons = _reasons(_parse(data))
        assert "turns[1].speaker" in reasons
        assert "'bot'" in reasons

    def test_speaker_and_channel_ignore_letter_case(self) -> None:
        """`Agent` and `CHAT` are what was meant."""
        record = _parse(_minimal(channel="CHAT", turns=[{"speaker": "Agent", "text": "Hi"}]))
        assert isinstance(record, ConversationRecord)
        assert (record.channel, record.turns[0].speaker) == (Channel.CHAT, Speaker.AGENT)

    @pytest.mark.parametrize("missing", ["id", "channel"])
    def test_required_fields(self, missing: str) -> None:
        """id and channel must be given."""
        data = _minimal()
        del data[missing]
        assert f"{missing}: is required" in _reasons(_parse(data))

    def test_turns_or_audio_is_required(self) -> None:
        """A conversation with nothing said and no recording is refused."""
        assert "needs turns or audio" in _reasons(_parse({"id": "c-1", "channel": "call"}))

    def test_negative_duration_is_refused(self) -> None:
        """duration_s is at least 0."""
        assert "duration_s" in _reasons(_parse(_minimal(duration_s=-1)))

    def test_a_turn_cannot_end_before_it_starts(self) -> None:
        """end_s before offset_s is a mistake in the source."""
        data = _minimal(turns=[{"speaker": "agent", "text": "Hi", "offset_s": 5, "end_s": 4}])
        assert "end_s 4.0 is before offset_s 5.0" in _reasons(_parse(data))

    def test_unknown_turn_keys_are_refused(self) -> None:
        """Turns have a fixed shape; a stray key is reported, not silently dropped."""
        data = _minimal(turns=[{"speaker": "agent", "text": "Hi", "mood": "happy"}])
        assert "turns[0].mood" in _reasons(_parse(data))

    def test_unknown_keys_go_to_metadata(self) -> None:
        """Keys the format does not know are kept as metadata; an explicit metadata entry wins."""
        record = _parse(_minimal(csat=4, region="north", metadata={"region": "south"}))
        assert isinstance(record, ConversationRecord)
        assert record.metadata == {"csat": 4, "region": "south"}

    def test_a_whole_number_id_is_read_as_text(self) -> None:
        """Sources that number their conversations need not quote the ids."""
        record = _parse(_minimal(id=1001))
        assert isinstance(record, ConversationRecord)
        assert record.id == "1001"

    def test_tags_must_be_a_list_of_strings(self) -> None:
        """A single string is not silently split into letters."""
        assert "tags" in _reasons(_parse(_minimal(tags="vip")))

    def test_tags_are_trimmed_and_unique(self) -> None:
        """Blank and repeated tags are dropped, order kept."""
        record = _parse(_minimal(tags=[" vip ", "", "vip", "refund"]))
        assert isinstance(record, ConversationRecord)
        assert record.tags == ["vip", "refund"]

    def test_text_longer_than_its_column_is_refused(self) -> None:
        """An agent name that would not fit the store is a bad row, not a database error."""
        assert "agent" in _reasons(_parse(_minimal(agent="x" * 201)))


class TestAudio:
    def test_audio_resolves_beside_the_imported_file(self, tmp_path: Path) -> None:
        """`audio/c.wav` is found relative to the file and stored as an absolute path."""
        (tmp_path / "audio").mkdir()
        (tmp_path / "audio" / "c.wav").write_bytes(b"RIFF")
        record = _parse({"id": "c", "channel": "call", "audio": "audio/c.wav"}, base=tmp_path)
        assert isinstance(record, ConversationRecord)
        assert record.audio == str((tmp_path / "audio" / "c.wav").resolve())

    def test_missing_audio_is_a_bad_row(self, tmp_path: Path) -> None:
        """A recording that is not there cannot be transcribed later."""
        reasons = _reasons(_parse({"id": "c", "channel": "call", "audio": "audio/gone.wav"}, base=tmp_path))
        assert "audio file 'audio/gone.wav' does not exist" in reasons

    def test_audio_must_be_wav_flac_or_mp3(self, tmp_path: Path) -> None:
        """Other files are not audio the pipeline reads."""
        (tmp_path / "notes.txt").write_text("hi")
        reasons = _reasons(_parse({"id": "c", "channel": "call", "audio": "notes.txt"}, base=tmp_path))
        assert "not a WAV, FLAC or MP3" in reasons


class TestParseRecord:
    def test_issues_name_the_record_line(self) -> None:
        """A JSON record's problems name the file and the line it starts on."""
        result = _parse({"id": "c", "channel": "fax", "turns": []}, line=12)
        assert isinstance(result, list)
        assert [issue.path for issue in result] == [f"{SOURCE}:12"]

    def test_a_csv_turn_error_names_its_own_row(self) -> None:
        """In CSV each turn is a row: a bad speaker on the third turn names the third row's line."""
        data = _minimal(
            turns=[
                {"speaker": "agent", "text": "a"},
                {"speaker": "customer", "text": "b"},
                {"speaker": "?", "text": "c"},
            ]
        )
        result = _parse(data, line=2, turn_lines=(2, 3, 5))
        assert isinstance(result, list)
        assert [Issue(f"{SOURCE}:5", result[0].message)] == result
        assert result[0].message.startswith("turns[2].speaker")
