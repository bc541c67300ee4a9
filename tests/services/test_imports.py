"""Importing into the store: all or nothing, bad rows named by file and line, idempotent by id."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from redflare.adapters.db.conversations import count_conversations
from redflare.adapters.db.orm import Conversation as ConversationRow
from redflare.adapters.db.orm import Integration, SyncEvent
from redflare.adapters.db.store import Store
from redflare.domain.errors import InvalidInput
from redflare.importing.readers import CONVERSATION_COLUMNS, TAG_SEPARATOR, TURN_COLUMNS
from redflare.importing.sample import packaged_demo_files, shared_datasets_dir
from redflare.services.imports import ImportRefused, import_path

T0 = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def _conversation(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"c-{n}",
        "channel": "call" if n % 2 else "chat",
        "started_at": (T0 + timedelta(minutes=n)).isoformat(),
        "duration_s": 60.0 + n,
        "agent": f"Agent {n % 3}",
        "customer": f"cust-{n}",
        "team": "Billing",
        "queue": "refunds",
        "tags": ["vip"] if n % 2 else [],
        "outcome": "resolved",
        "language": "en",
        "turns": [
            {"speaker": "agent", "text": f"Hello, this is call {n}.", "offset_s": 0.0, "end_s": 2.5},
            {"speaker": "customer", "text": "I was charged twice.", "offset_s": 3.0},
        ],
        "metadata": {"csat": n % 5},
        **fields,
    }


def _write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _stored(store: Store) -> dict[str, ConversationRow]:
    with store.transaction() as session:
        rows = session.scalars(select(ConversationRow).options()).all()
        for row in rows:
            _ = row.turns  # deferred: load it before the session closes
        return {row.id: row for row in rows}


def _count(store: Store, integration: str | None = None) -> int:
    with store.transaction() as session:
        return count_conversations(session, integration=integration)


class TestImportPath:
    def test_reimporting_updates_and_never_duplicates(self, store: Store, tmp_path: Path) -> None:
        """The second import of the same file finds every conversation already there."""
        path = _write_jsonl(tmp_path / "calls.jsonl", [_conversation(n) for n in range(5)])
        first = import_path(store, path, integration="demo")
        second = import_path(store, path, integration="demo")
        assert (first.inserted, first.updated) == (5, 0)
        assert (second.inserted, second.updated) == (0, 5)
        assert _count(store) == _count(store, "demo") == 5

    def test_a_changed_field_is_updated(self, store: Store, tmp_path: Path) -> None:
        """Correcting the agent and a turn in the source corrects the stored conversation."""
        path = _write_jsonl(tmp_path / "calls.jsonl", [_conversation(1)])
        import_path(store, path, integration="demo")
        imported_at = _stored(store)["c-1"].imported_at
        changed = _conversation(1, agent="Dana Ito")
        changed["turns"][1]["text"] = "I was charged three times."
        _write_jsonl(path, [changed])
        import_path(store, path, integration="demo")
        row = _stored(store)["c-1"]
        assert row.agent == "Dana Ito"
        assert row.turns[1]["text"] == "I was charged three times."
        assert row.imported_at == imported_at
        assert row.updated_at >= imported_at

    def test_stored_fields_match_the_file(self, store: Store, tmp_path: Path) -> None:
        """Every appendix-D field arrives in its column, times in UTC, unknown keys in metadata."""
        record = _conversation(3, started_at="2026-03-02T10:15:00+01:00", region="north")
        import_path(store, _write_jsonl(tmp_path / "c.jsonl", [record]), integration="demo")
        row = _stored(store)["c-3"]
        assert row.started_at == datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
        assert (row.channel, row.agent, row.team, row.queue, row.tags) == (
            "call",
            "Agent 0",
            "Billing",
            "refunds",
            ["vip"],
        )
        assert row.extra == {"csat": 3, "region": "north"}
        assert row.turns == [
            {"speaker": "agent", "text": "Hello, this is call 3.", "offset_s": 0.0, "end_s": 2.5},
            {"speaker": "customer", "text": "I was charged twice.", "offset_s": 3.0, "end_s": None},
        ]

    def test_one_bad_row_stores_nothing(self, store: Store, tmp_path: Path) -> None:
        """A file with one bad row is refused whole; the error names the file, the line and the reason."""
        records = [_conversation(n) for n in range(4)]
        records[2]["turns"][0]["speaker"] = "robot"
        path = _write_jsonl(tmp_path / "calls.jsonl", records)
        with pytest.raises(ImportRefused) as refused:
            import_path(store, path, integration="demo")
        [issue] = refused.value.issues
        assert issue.path == f"{path}:3"
        assert "turns[0].speaker" in issue.message
        assert "'robot'" in issue.message
        assert _count(store) == 0
        with store.transaction() as session:
            assert session.scalars(select(Integration)).all() == []

    def test_skip_bad_stores_the_good_ones(self, store: Store, tmp_path: Path) -> None:
        """With skip_bad the good rows are stored and the bad ones reported."""
        records = [_conversation(n) for n in range(4)]
        records[1]["channel"] = "fax"
        path = _write_jsonl(tmp_path / "calls.jsonl", records)
        report = import_path(store, path, integration="demo", skip_bad=True)
        assert (report.inserted, report.records_read) == (3, 4)
        assert [i.path for i in report.bad_rows] == [f"{path}:2"]
        assert set(_stored(store)) == {"c-0", "c-2", "c-3"}

    def test_a_time_without_a_zone_is_a_bad_row(self, store: Store, tmp_path: Path) -> None:
        """09:15 in which city? The row is refused and the reason says so."""
        path = _write_jsonl(tmp_path / "calls.jsonl", [_conversation(1, started_at="2026-03-02T09:15:00")])
        with pytest.raises(ImportRefused) as refused:
            import_path(store, path, integration="demo")
        assert [(i.path, "without a zone" in i.message) for i in refused.value.issues] == [(f"{path}:1", True)]

    def test_an_id_of_another_integration_is_a_bad_row(self, store: Store, tmp_path: Path) -> None:
        """Ids are unique across integrations: a clash is reported, and the other integration's row is untouched."""
        import_path(store, _write_jsonl(tmp_path / "a.jsonl", [_conversation(1)]), integration="alpha")
        path = _write_jsonl(tmp_path / "b.jsonl", [_conversation(2), _conversation(1, agent="Someone else")])
        with pytest.raises(ImportRefused) as refused:
            import_path(store, path, integration="beta")
        assert [(i.path, i.message) for i in refused.value.issues] == [
            (f"{path}:2", "id c-1 belongs to integration alpha")
        ]
        report = import_path(store, path, integration="beta", skip_bad=True)
        assert report.inserted == 1
        assert _stored(store)["c-1"].agent == "Agent 1"
        assert (_count(store, "alpha"), _count(store, "beta")) == (1, 1)

    def test_every_bad_row_of_every_file_is_listed(self, store: Store, tmp_path: Path) -> None:
        """A folder import reports all its problems at once, not the first only."""
        (tmp_path / "in").mkdir()
        _write_jsonl(tmp_path / "in" / "a.jsonl", [_conversation(1, duration_s=-5), _conversation(2)])
        (tmp_path / "in" / "b.json").write_text('[\n{"id": "x"}\n]', encoding="utf-8")
        with pytest.raises(ImportRefused) as refused:
            import_path(store, tmp_path / "in", integration="demo")
        assert [i.path for i in refused.value.issues] == [
            f"{tmp_path / 'in' / 'a.jsonl'}:1",
            f"{tmp_path / 'in' / 'b.json'}:2",
        ]
        assert refused.value.report.files_read == 2

    def test_the_same_id_twice_in_one_import(self, store: Store, tmp_path: Path) -> None:
        """An identical repeat counts once; a different one is a bad row naming both places."""
        path = _write_jsonl(tmp_path / "calls.jsonl", [_conversation(1), _conversation(1)])
        report = import_path(store, path, integration="demo")
        assert (report.inserted, report.duplicates) == (1, 1)
        _write_jsonl(path, [_conversation(1), _conversation(1, agent="Other")])
        with pytest.raises(ImportRefused) as refused:
            import_path(store, path, integration="demo")
        assert [(i.path, i.message) for i in refused.value.issues] == [
            (f"{path}:2", f"id c-1 is also at {path}:1, differently")
        ]

    def test_csv_round_trip(self, store: Store, tmp_path: Path) -> None:
        """Conversations written as CSV (one row per turn, documented columns) are stored as the JSON ones are."""
        records = [_conversation(n, tags=["vip", "refund"] if n else []) for n in range(3)]
        path = tmp_path / "calls.csv"
        columns = [*CONVERSATION_COLUMNS, *TURN_COLUMNS, "metadata.csat"]
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for record in records:
                for turn in record["turns"]:
                    row = {k: v for k, v in record.items() if k in CONVERSATION_COLUMNS}
                    row["tags"] = TAG_SEPARATOR.join(record["tags"])
                    row.update(turn)
                    row["metadata.csat"] = record["metadata"]["csat"]
                    writer.writerow(row)
        import_path(store, path, integration="csv")
        from_csv = _stored(store)
        import_path(store, _write_jsonl(tmp_path / "calls.jsonl", records), integration="csv")
        from_json = _stored(store)

        def fields(row: ConversationRow) -> tuple[Any, ...]:
            return (row.channel, row.started_at, row.duration_s, row.agent, row.tags, row.extra, row.turns)

        assert {k: fields(v) for k, v in from_csv.items()} == {k: fields(v) for k, v in from_json.items()}
        assert from_csv["c-1"].tags == ["vip", "refund"]

    def test_a_missing_audio_file_is_a_bad_row(self, store: Store, tmp_path: Path) -> None:
        """Audio is looked for beside the imported file."""
        (tmp_path / "audio").mkdir()
        (tmp_path / "audio" / "c-1.wav").write_bytes(b"RIFF")
        audio = [
            {"id": "c-1", "channel": "call", "audio": "audio/c-1.wav"},
            {"id": "c-2", "channel": "call", "audio": "audio/c-2.wav"},
        ]
        path = _write_jsonl(tmp_path / "calls.jsonl", audio)
        report = import_path(store, path, integration="demo", skip_bad=True)
        assert [i.path for i in report.bad_rows] == [f"{path}:2"]
        assert _stored(store)["c-1"].audio == str((tmp_path / "audio" / "c-1.wav").resolve())

    @pytest.mark.parametrize(
        ("arguments", "reason"),
        [
            ({"integration": " "}, "the integration needs a name"),
            ({"integration": "x", "format": "xml"}, "unknown format 'xml'"),
        ],
    )
    def test_unusable_arguments_are_refused(
        self, store: Store, tmp_path: Path, arguments: dict[str, Any], reason: str
    ) -> None:
        """A blank integration name or an unknown format is refused before anything is read."""
        path = _write_jsonl(tmp_path / "calls.jsonl", [_conversation(1)])
        with pytest.raises(InvalidInput, match=reason):
            import_path(store, path, **arguments)

    def test_a_missing_path_or_empty_folder_is_refused(self, store: Store, tmp_path: Path) -> None:
        """Nothing to read is an error, not a silent success."""
        with pytest.raises(InvalidInput, match="does not exist"):
            import_path(store, tmp_path / "nope.jsonl", integration="demo")
        (tmp_path / "empty").mkdir()
        with pytest.raises(InvalidInput, match="no conversation files"):
            import_path(store, tmp_path / "empty", integration="demo")

    def test_the_packaged_demo_sample_imports_cleanly(self, store: Store) -> None:
        """The sample shipped in the package is valid: every line stored, no bad rows."""
        demo = packaged_demo_files()
        expected = sum(1 for path in demo for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
        reports = [import_path(store, path, integration="demo") for path in demo]
        assert [p.name for p in demo] == ["star_bank.jsonl", "hvb_calls.jsonl"]
        assert sum(r.inserted for r in reports) == expected == _count(store, "demo")
        assert all(r.bad_rows == [] for r in reports)

    @pytest.mark.skipif(shared_datasets_dir() is None, reason="shared/datasets is not available")
    def test_the_folder_of_datasets_imports_each_with_its_mapping(self, store: Store) -> None:
        """`auto` splits shared/datasets between the mappings; the silent STAR dialogues are the bad rows."""
        root = shared_datasets_dir()
        assert root is not None
        with pytest.raises(ImportRefused) as refused:
            import_path(store, root, integration="public")
        assert refused.value.issues
        assert all("no utterances" in i.message for i in refused.value.issues)
        report = import_path(store, root, integration="public", skip_bad=True)
        assert set(report.formats) == {"star", "hvb", "multidogo", "abcd", "taskmaster", "multiwoz", "azure"}
        assert report.inserted == _count(store, "public") == report.records_read - report.duplicates
        assert len(report.bad_rows) == len(refused.value.issues)
        assert [n.path.split("/")[-1] for n in report.notes] == ["dialogstudio_tm1_examples.json:2"]


class TestAnImportIsASync:
    """`redflare import` fills an integration the way a push or a folder scan does: one sync, with its events, so
    the integration's sync triggers fire (before, an imported integration had no syncs and its triggers never did).
    """

    def events(self, store: Store) -> list[tuple[str, dict[str, Any]]]:
        with store.read() as session:
            rows = session.execute(select(SyncEvent.type, SyncEvent.payload).order_by(SyncEvent.id)).all()
        return [(kind, payload) for kind, payload in rows]

    def test_each_import_is_one_completed_sync_with_exactly_its_conversations(
        self, store: Store, tmp_path: Path
    ) -> None:
        first = _write_jsonl(tmp_path / "monday.jsonl", [_conversation(n) for n in range(3)])
        second = _write_jsonl(tmp_path / "tuesday.jsonl", [_conversation(n) for n in range(2, 5)])
        import_path(store, first, integration="calls", now=T0)
        import_path(store, second, integration="calls", now=T0 + timedelta(days=1))
        events = self.events(store)
        assert [kind for kind, _ in events] == ["sync_started", "sync_completed"] * 2
        monday, tuesday = events[1][1], events[3][1]
        assert monday["conversation_ids"] == ["c-0", "c-1", "c-2"]
        assert tuesday["conversation_ids"] == ["c-2", "c-3", "c-4"]  # c-2 came again (updated): it is this sync's
        assert monday["integration"] == "calls"
        assert tuesday["counts"] == {**tuesday["counts"], "received": 3, "imported": 2, "updated": 1}
        assert tuesday["window"]["start"].startswith("2026-03-03")

    def test_a_refused_import_of_an_existing_integration_is_a_failed_sync_and_stores_nothing(
        self, store: Store, tmp_path: Path
    ) -> None:
        import_path(store, _write_jsonl(tmp_path / "ok.jsonl", [_conversation(1)]), integration="calls", now=T0)
        bad = tmp_path / "batch2.jsonl"
        bad.write_text(json.dumps(_conversation(2)) + "\n{ not json\n", encoding="utf-8")
        with pytest.raises(ImportRefused):
            import_path(store, bad, integration="calls", now=T0)
        kind, payload = self.events(store)[-1]
        assert kind == "sync_failed"
        assert payload["error"].startswith(f"1 bad row(s) in {bad}: nothing was imported; ")
        assert "batch2.jsonl:2: " in payload["error"]
        assert payload["files"] == [str(bad)]  # trigger.files in an alert
        assert _count(store, "calls") == 1

    def test_a_refused_import_of_a_new_integration_stores_nothing_at_all(self, store: Store, tmp_path: Path) -> None:
        bad = tmp_path / "bad.jsonl"
        bad.write_text("{ not json\n", encoding="utf-8")
        with pytest.raises(ImportRefused):
            import_path(store, bad, integration="brand-new", now=T0)
        assert self.events(store) == []
        with store.read() as session:
            assert session.scalar(select(Integration).where(Integration.name == "brand-new")) is None
