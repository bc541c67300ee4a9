"""Folder integrations: each scan imports the new files as one sync; bad files fail it and wait for a change."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import Conversation
from redflare.adapters.db.store import Store
from redflare.domain.ports import FixedClock
from redflare.integrations.folder import due_folder_integrations, sync_folder
from redflare.services.catalog import create_integration
from tests.integrations.conftest import chat, event_types


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "drop"
    path.mkdir()
    return path


def add_folder(store: Store, clock: FixedClock, folder: Path, name: str = "calls", **config: Any) -> int:
    with store.transaction() as session:
        info, _ = create_integration(
            session, name=name, kind="folder", config={"path": str(folder), **config}, now=clock.now()
        )
    return info.id


def drop(folder: Path, name: str, *conversations: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(c) for c in conversations) + "\n", encoding="utf-8")
    return path


def stored_ids(store: Store) -> list[str]:
    with store.read() as session:
        return sorted(session.scalars(select(Conversation.id)))


class TestScans:
    def test_new_files_arrive_as_one_sync_and_only_once(self, store: Store, clock: FixedClock, folder: Path) -> None:
        """Two files → one sync with their conversations; a scan with nothing new makes no sync; a third file
        → a sync with only its own conversations."""
        calls = add_folder(store, clock, folder)
        drop(folder, "a.jsonl", chat("a-1"), chat("a-2"))
        (folder / "nested").mkdir()
        drop(folder / "nested", "b.json", chat("b-1"))
        first = sync_folder(store, calls, clock.now())
        assert first is not None
        assert (first.status, first.conversation_ids) == ("completed", ["a-1", "a-2", "b-1"])
        assert first.counts == {"received": 3, "imported": 3, "updated": 0, "unchanged": 0, "files": 2}
        clock.advance(300)
        assert sync_folder(store, calls, clock.now()) is None
        drop(folder, "c.jsonl", chat("c-1"))
        third = sync_folder(store, calls, clock.now())
        assert third is not None
        assert third.conversation_ids == ["c-1"]
        assert event_types(store) == ["sync_started", "sync_completed"] * 2

    def test_a_changed_file_is_read_again_and_only_changes_arrive(
        self, store: Store, clock: FixedClock, folder: Path
    ) -> None:
        """Rewriting a file with one conversation changed brings only that one."""
        calls = add_folder(store, clock, folder)
        path = drop(folder, "a.jsonl", chat("a-1"), chat("a-2"))
        sync_folder(store, calls, clock.now())
        drop(folder, "a.jsonl", chat("a-1"), chat("a-2", text="Changed."))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
        again = sync_folder(store, calls, clock.now())
        assert again is not None
        assert again.conversation_ids == ["a-2"]

    def test_a_bad_file_fails_the_sync_and_waits_until_it_changes(
        self, store: Store, clock: FixedClock, folder: Path
    ) -> None:
        """A malformed file: Sync Failed naming it, nothing stored; the good file arrives next scan; the bad one
        is not retried until it changes, then it arrives."""
        calls = add_folder(store, clock, folder)
        drop(folder, "good.jsonl", chat("g-1"))
        bad = folder / "bad.json"
        bad.write_text('[{"id": "b-1", "channel": "chat",', encoding="utf-8")
        failed = sync_folder(store, calls, clock.now())
        assert failed is not None
        assert failed.status == "failed"
        assert failed.error is not None
        assert "bad.json:1: not valid JSON" in failed.error
        assert stored_ids(store) == []
        assert event_types(store) == ["sync_started", "sync_failed"]
        clock.advance(300)
        later = sync_folder(store, calls, clock.now())
        assert later is not None
        assert (later.status, later.conversation_ids) == ("completed", ["g-1"])
        assert sync_folder(store, calls, clock.now()) is None
        bad.write_text(json.dumps([chat("b-1")]), encoding="utf-8")
        fixed = sync_folder(store, calls, clock.now())
        assert fixed is not None
        assert (fixed.status, fixed.conversation_ids) == ("completed", ["b-1"])
        assert stored_ids(store) == ["b-1", "g-1"]

    def test_a_missing_folder_fails_the_sync(self, store: Store, clock: FixedClock, tmp_path: Path) -> None:
        """A folder that is not there is a failed sync saying so."""
        calls = add_folder(store, clock, tmp_path / "gone")
        failed = sync_folder(store, calls, clock.now())
        assert failed is not None
        assert failed.status == "failed"
        assert "does not exist" in (failed.error or "")

    def test_an_audio_file_without_a_record_becomes_a_call(self, store: Store, clock: FixedClock, folder: Path) -> None:
        """A recording with a record is that record's audio; a recording alone becomes a call of its own."""
        calls = add_folder(store, clock, folder)
        (folder / "a.wav").write_bytes(b"RIFF")
        (folder / "lone.wav").write_bytes(b"RIFF")
        drop(folder, "a.jsonl", {"id": "a-1", "channel": "call", "audio": "a.wav"})
        sync = sync_folder(store, calls, clock.now())
        assert sync is not None
        assert sync.conversation_ids == ["a-1", "calls:lone"]
        with store.read() as session:
            lone = session.get(Conversation, "calls:lone")
            assert lone is not None
            assert (lone.channel, lone.audio) == ("call", str((folder / "lone.wav").resolve()))


class TestSchedule:
    def test_due_every_n_minutes_since_the_last_scan(self, store: Store, clock: FixedClock, folder: Path) -> None:
        """Never scanned → due; after a scan (with or without a sync) not due until every_minutes have passed."""
        calls = add_folder(store, clock, folder)
        hourly = add_folder(store, clock, folder / "x", name="hourly", every_minutes=60)
        with store.transaction() as session:
            create_integration(session, name="crm", kind="push", config={}, now=clock.now())
        with store.read() as session:
            assert due_folder_integrations(session, clock.now()) == [calls, hourly]
        drop(folder, "a.jsonl", chat("a-1"))
        sync_folder(store, calls, clock.now())
        sync_folder(store, hourly, clock.now())  # a missing folder: a failed sync, still a scan
        clock.advance(4 * 60 + 59)
        with store.read() as session:
            assert due_folder_integrations(session, clock.now()) == []
        clock.advance(1)
        with store.read() as session:
            assert due_folder_integrations(session, clock.now()) == [calls]
        assert sync_folder(store, calls, clock.now()) is None  # nothing new: no sync, but the scan counts
        clock.advance(60)
        with store.read() as session:
            assert due_folder_integrations(session, clock.now()) == []
        clock.advance(55 * 60)
        with store.read() as session:
            assert due_folder_integrations(session, clock.now()) == [calls, hourly]
