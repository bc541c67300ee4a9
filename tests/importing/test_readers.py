"""Readers of the native format: every record and every unreadable row carries its file and line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from redflare.importing.readers import RawRecord, ReadIssue, files, read_csv, read_file, read_json, read_jsonl


def _records(items: list[Any]) -> list[RawRecord]:
    return [i for i in items if isinstance(i, RawRecord)]


def _issues(items: list[Any]) -> list[ReadIssue]:
    return [i for i in items if isinstance(i, ReadIssue)]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
objects = st.dictionaries(st.text(max_size=8), json_values, max_size=4)


class TestJson:
    def test_a_list_gives_each_record_its_starting_line(self, tmp_path: Path) -> None:
        """Each object of a list is reported at the line where it begins."""
        path = tmp_path / "calls.json"
        blocks = [json.dumps({"id": f"c-{n}", "n": n}, indent=2) for n in range(3)]
        path.write_text("[\n" + ",\n".join(blocks) + "\n]\n")
        expected = [2 + sum(block.count("\n") + 1 for block in blocks[:n]) for n in range(3)]
        records = _records(list(read_json(path)))
        assert [r.line for r in records] == expected
        assert [r.data["n"] for r in records] == [0, 1, 2]

    def test_one_object_is_one_record(self, tmp_path: Path) -> None:
        """A file holding a single conversation object is read as that conversation."""
        path = tmp_path / "one.json"
        path.write_text('\n\n{"id": "c-1"}\n')
        assert [(r.line, r.data) for r in _records(list(read_json(path)))] == [(3, {"id": "c-1"})]

    def test_a_syntax_error_names_its_line(self, tmp_path: Path) -> None:
        """The records before the error are read; the error is reported where it is."""
        path = tmp_path / "broken.json"
        path.write_text('[\n{"id": "a"},\n{"id": "b",,}\n]\n')
        items = list(read_json(path))
        assert [r.data["id"] for r in _records(items)] == ["a"]
        [issue] = _issues(items)
        assert (issue.line, issue.message.startswith("not valid JSON")) == (3, True)

    def test_a_non_object_element_is_a_bad_row(self, tmp_path: Path) -> None:
        """A number in the list is reported at its line, the objects around it are read."""
        path = tmp_path / "mixed.json"
        path.write_text('[\n{"id": "a"},\n42,\n{"id": "b"}\n]')
        items = list(read_json(path))
        assert [r.data["id"] for r in _records(items)] == ["a", "b"]
        assert [(i.line, i.message) for i in _issues(items)] == [(3, "expected a conversation object, found a int")]

    def test_an_empty_file_is_reported(self, tmp_path: Path) -> None:
        """An empty file is not silently nothing."""
        path = tmp_path / "empty.json"
        path.write_text("  \n")
        assert [i.message for i in _issues(list(read_json(path)))] == ["the file is empty"]

    def test_text_that_is_not_utf8_is_reported(self, tmp_path: Path) -> None:
        """Latin-1 bytes are named with their line instead of crashing the import."""
        path = tmp_path / "latin.json"
        path.write_bytes(b'[\n{"id": "caf\xe9"}\n]')
        assert [(i.line, i.message) for i in _issues(list(read_json(path)))] == [(2, "not UTF-8 text")]


class TestJsonl:
    @given(st.lists(objects | st.none(), max_size=8))
    def test_each_object_keeps_its_line(self, values: list[dict[str, Any] | None]) -> None:
        """Objects come back as written, at their line numbers; blank lines are skipped."""
        lines = ["" if v is None else json.dumps(v) for v in values]
        expected = [(n, v) for n, v in enumerate(values, start=1) if v is not None]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "x.jsonl"
            path.write_text("\n".join(lines) + "\n")
            assert [(r.line, r.data) for r in _records(list(read_jsonl(path)))] == expected

    def test_bad_lines_are_reported_and_the_rest_read(self, tmp_path: Path) -> None:
        """A broken line and a non-object line are bad rows; the others are records."""
        path = tmp_path / "calls.jsonl"
        path.write_text('{"id": "a"}\n{"id": \n[1, 2]\n{"id": "b"}\n')
        items = list(read_jsonl(path))
        assert [(r.line, r.data["id"]) for r in _records(items)] == [(1, "a"), (4, "b")]
        assert [(i.line, i.message.split(":")[0]) for i in _issues(items)] == [
            (2, "not valid JSON"),
            (3, "expected a conversation object, found a list"),
        ]

    def test_unicode_line_separators_inside_texts_do_not_split_records(self, tmp_path: Path) -> None:
        """A text holding U+2028 (written unescaped) stays one record, CRLF endings too."""
        path = tmp_path / "calls.jsonl"
        path.write_text('{"id": "a", "t": "one\u2028two"}\r\n{"id": "b"}\r\n', encoding="utf-8")
        assert [r.data for r in _records(list(read_jsonl(path)))] == [{"id": "a", "t": "one\u2028two"}, {"id": "b"}]

    def test_nan_and_infinity_are_not_json(self, tmp_path: Path) -> None:
        """Python would read them, JSON and the store do not: the line is a bad row."""
        path = tmp_path / "calls.jsonl"
        path.write_text('{"id": "a", "score": NaN}\n{"id": "b", "score": -Infinity}\n{"id": "c"}\n')
        items = list(read_jsonl(path))
        assert [r.data["id"] for r in _records(items)] == ["c"]
        assert [(i.line, i.message) for i in _issues(items)] == [
            (1, "not valid JSON: NaN is not a JSON number"),
            (2, "not valid JSON: -Infinity is not a JSON number"),
        ]


HEADER = "id,channel,started_at,agent,tags,speaker,text,offset_s,metadata.csat,region\n"


class TestCsv:
    def test_rows_of_one_id_make_one_conversation(self, tmp_path: Path) -> None:
        """Turns are gathered by id in order, conversation fields read once, line = first row."""
        path = tmp_path / "calls.csv"
        path.write_text(
            HEADER
            + "c-1,call,2026-03-02T09:15:00Z,Dana,vip|refund,agent,Hello,0,4,north\n"
            + "c-2,chat,,,,customer,Hi there,,,\n"
            + "c-1,,,,,customer,Charged twice,3.2,,\n"
        )
        records = _records(list(read_csv(path)))
        assert [(r.line, r.data["id"], r.turn_lines) for r in records] == [(2, "c-1", (2, 4)), (3, "c-2", (3,))]
        first = records[0].data
        assert first["tags"] == ["vip", "refund"]
        assert first["turns"] == [
            {"speaker": "agent", "text": "Hello", "offset_s": "0"},
            {"speaker": "customer", "text": "Charged twice", "offset_s": "3.2"},
        ]
        assert first["metadata"] == {"csat": 4, "region": "north"}
        assert (first["agent"], first["started_at"]) == ("Dana", "2026-03-02T09:15:00Z")

    def test_a_field_that_changes_between_rows_is_a_bad_row(self, tmp_path: Path) -> None:
        """Two channels for one conversation: the row that disagrees is named, with both values."""
        path = tmp_path / "calls.csv"
        path.write_text(HEADER + "c-1,call,,,,agent,Hello,,,\nc-1,chat,,,,customer,Hi,,,\n")
        items = list(read_csv(path))
        assert _records(items) == []
        assert [(i.line, i.message) for i in _issues(items)] == [(3, "channel is 'chat' here but 'call' on line 2")]

    def test_a_row_without_turn_cells_adds_no_turn(self, tmp_path: Path) -> None:
        """An audio-only conversation is one row with empty speaker and text."""
        path = tmp_path / "audio.csv"
        path.write_text("id,channel,audio,speaker,text\nc-9,call,a.wav,,\n")
        [record] = _records(list(read_csv(path)))
        assert record.data == {"id": "c-9", "channel": "call", "audio": "a.wav", "turns": []}

    def test_bad_rows_are_named(self, tmp_path: Path) -> None:
        """An empty id and a row with too few cells are reported at their lines."""
        path = tmp_path / "calls.csv"
        path.write_text("id,channel,speaker,text\n,chat,agent,Hi\nc-1,chat\nc-2,chat,agent,Hi\n")
        items = list(read_csv(path))
        assert [r.data["id"] for r in _records(items)] == ["c-2"]
        assert [(i.line, i.message) for i in _issues(items)] == [
            (2, "id is empty"),
            (3, "has 2 cells, the header has 4"),
        ]

    def test_a_header_without_id_is_refused(self, tmp_path: Path) -> None:
        """Without an id column no row can be placed."""
        path = tmp_path / "calls.csv"
        path.write_text("channel,text\nchat,Hi\n")
        assert [(i.line, i.message) for i in _issues(list(read_csv(path)))] == [(1, "the header has no id column")]

    def test_a_quoted_multiline_cell_keeps_row_lines_right(self, tmp_path: Path) -> None:
        """A turn text spanning two lines does not shift the lines of later rows."""
        path = tmp_path / "calls.csv"
        path.write_text('id,channel,speaker,text\nc-1,chat,agent,"two\nlines"\nc-2,chat,agent,Hi\n')
        records = _records(list(read_csv(path)))
        assert [(r.data["id"], r.line) for r in records] == [("c-1", 2), ("c-2", 4)]
        assert records[0].data["turns"][0]["text"] == "two\nlines"

    def test_metadata_cells_that_look_like_numbers_are_numbers(self, tmp_path: Path) -> None:
        """4 is a number, 007 (not a JSON number) stays text, true is a boolean."""
        path = tmp_path / "m.csv"
        path.write_text(
            "id,channel,metadata.a,metadata.b,metadata.c,metadata.d,metadata.e\nc,chat,4,007,true,-1.5,-Infinity\n"
        )
        [record] = _records(list(read_csv(path)))
        assert record.data["metadata"] == {"a": 4, "b": "007", "c": True, "d": -1.5, "e": "-Infinity"}

    def test_a_metadata_column_and_a_plain_column_of_one_key_must_agree(self, tmp_path: Path) -> None:
        """`csat` and `metadata.csat` are the same entry: different values are reported, not a crash."""
        path = tmp_path / "m.csv"
        path.write_text("id,channel,csat,metadata.csat\nc,chat,4,5\n")
        assert [(i.line, i.message) for i in _issues(list(read_csv(path)))] == [
            (2, "metadata.csat is '5' here but '4' on line 2")
        ]


class TestFiles:
    def test_a_folder_is_read_recursively_in_name_order(self, tmp_path: Path) -> None:
        """json, jsonl and csv files at any depth are read; hidden ones and audio are not."""
        for name in ["b.jsonl", "a/z.csv", "a/c.json", ".hidden/x.json", "audio/c.wav", "notes.txt", ".x.json"]:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("")
        assert [p.relative_to(tmp_path).as_posix() for p in files(tmp_path)] == ["a/c.json", "a/z.csv", "b.jsonl"]

    def test_read_file_chooses_the_reader_by_suffix(self, tmp_path: Path) -> None:
        """The same conversation written three ways reads the same."""
        (tmp_path / "a.json").write_text('[{"id": "c", "channel": "chat"}]')
        (tmp_path / "a.jsonl").write_text('{"id": "c", "channel": "chat"}\n')
        (tmp_path / "a.csv").write_text("id,channel\nc,chat\n")
        datas = [_records(list(read_file(tmp_path / n)))[0].data for n in ("a.json", "a.jsonl", "a.csv")]
        assert datas[0] == datas[1]
        assert {k: v for k, v in datas[2].items() if k != "turns"} == datas[0]
