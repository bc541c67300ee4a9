"""Sync events through the scheduler's pass: each listening live workflow fires once per event, with the sync's
conversations as the run's gathered set; duplicates and other integrations' events start nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from redflare.adapters.db.orm import SyncEvent, Workflow
from redflare.adapters.db.runs import transition_run
from redflare.domain.access import EVERYTHING, Role
from redflare.domain.runs import RunStatus
from redflare.engine.executors import InlineAnalysisExecutor
from redflare.services import lifecycle
from redflare.services.catalog import create_integration
from redflare.services.demo import load_demo
from redflare.services.execution import Runner
from redflare.services.imports import ImportRefused, import_path
from redflare.services.users import Principal
from tests.integrations.conftest import chat
from tests.scheduler.conftest import World, document

ARRIVED = ["alpha-1", "alpha-2", "alpha-3"]


def on(event_type: str, integration: str | None = None) -> dict[str, object]:
    trigger: dict[str, object] = {"type": event_type}
    if integration is not None:
        trigger["integration"] = integration
    return trigger


def unconsumed(world: World) -> int:
    with world.store.read() as session:
        return len(list(session.scalars(select(SyncEvent.id).where(SyncEvent.consumed_at.is_(None)))))


class TestListeners:
    def test_every_listening_live_workflow_fires_once(self, world: World) -> None:
        """A Sync Completed of "alpha" starts one run of each live workflow listening for alpha or any
        integration — not a draft, not a paused one, not one listening to "beta" or to another event."""
        alpha = world.publish(document(on("sync_completed", "alpha"), name="alpha"))
        anyone = world.publish(document(on("sync_completed"), name="any"))
        beta = world.publish(document(on("sync_completed", "beta"), name="beta"))
        failed_only = world.publish(document(on("sync_failed", "alpha"), name="failed"))
        draft = world.draft(document(on("sync_completed", "alpha"), name="draft"))
        paused = world.publish(document(on("sync_completed", "alpha"), name="paused"))
        world.act(lifecycle.pause, paused)
        world.integration("beta")

        sync_id = world.sync("alpha", "completed", arrived=ARRIVED)
        started = world.scheduler().tick()

        runs = {
            workflow_id: world.runs(workflow_id) for workflow_id in (alpha, anyone, beta, failed_only, draft, paused)
        }
        assert {w: len(r) for w, r in runs.items()} == {
            alpha: 1,
            anyone: 1,
            beta: 0,
            failed_only: 0,
            draft: 0,
            paused: 0,
        }
        assert sorted(started) == sorted([runs[alpha][0].id, runs[anyone][0].id])
        for run in (runs[alpha][0], runs[anyone][0]):
            assert (run.trigger_type, run.version) == ("sync_completed", 1)
            assert run.trigger_payload["conversation_ids"] == ARRIVED
            assert (run.trigger_payload["integration"], run.trigger_payload["sync_id"]) == ("alpha", sync_id)
            assert set(run.trigger_payload["window"]) == {"start", "end"}
            assert run.idempotency_key == f"{run.workflow_id}:sync:{sync_id}:sync_completed"
        assert sorted(world.submitted) == sorted(started)
        assert unconsumed(world) == 0
        # Sync Started was consumed too, firing nobody: nothing listens for it
        assert world.scheduler().tick() == []

    @pytest.mark.parametrize(("event_type", "outcome"), [("sync_started", "running"), ("sync_failed", "failed")])
    def test_started_and_failed_syncs_fire_their_listeners(self, world: World, event_type: str, outcome: str) -> None:
        """Sync Started and Sync Failed fire the workflows listening for them, with the sync in the payload."""
        listener = world.publish(document(on(event_type, "alpha")))
        sync_id = world.sync("alpha", outcome)
        assert len(world.scheduler().tick()) == 1
        (run,) = world.runs(listener)
        assert (run.trigger_type, run.trigger_payload["sync_id"]) == (event_type, sync_id)


class TestOnce:
    def test_the_same_event_seen_twice_makes_one_run(self, world: World) -> None:
        """Ticking twice, or the event delivered twice (same sync, same type), still makes one run."""
        listener = world.publish(document(on("sync_completed", "alpha")), overlap_policy="parallel")
        scheduler = world.scheduler()
        sync_id = world.sync("alpha", "completed", arrived=ARRIVED)
        assert len(scheduler.tick()) == 1
        assert scheduler.tick() == []
        world.repeat_event(sync_id, "sync_completed")
        assert world.scheduler().tick() == []  # a fresh scheduler: nothing in memory helps it
        assert len(world.runs(listener)) == 1
        (firing,) = world.firings(listener)
        assert (firing.outcome, firing.duplicates) == ("started", 1)
        assert unconsumed(world) == 0

    def test_each_sync_fires_once(self, world: World) -> None:
        """Two syncs are two firings: two runs (in parallel)."""
        listener = world.publish(document(on("sync_completed", "alpha")), overlap_policy="parallel")
        world.sync("alpha", "completed", arrived=ARRIVED[:1])
        world.sync("alpha", "completed", arrived=ARRIVED[1:])
        world.scheduler().tick()
        payloads = sorted(run.trigger_payload["conversation_ids"] for run in world.runs(listener))
        assert payloads == [ARRIVED[:1], ARRIVED[1:]]


class TestQueueThroughThePass:
    def test_the_waiting_firing_starts_on_the_pass_after_the_run_ends(self, world: World) -> None:
        """Policy "queue" (the default): a second sync while the first run goes waits; a third meanwhile is merged
        into it, not dropped; once the run ends the next pass starts one run with both syncs' conversations."""
        listener = world.publish(document(on("sync_completed", "alpha")))
        scheduler = world.scheduler()
        world.sync("alpha", "completed", arrived=["a"])
        (first,) = scheduler.tick()
        second_sync = world.sync("alpha", "completed", arrived=["b"])
        third_sync = world.sync("alpha", "completed", arrived=["c", "b"])
        assert scheduler.tick() == []
        waiting_key = f"sync:{second_sync}:sync_completed"
        assert [(f.outcome, f.reason) for f in world.firings(listener)] == [
            ("started", None),
            ("waiting", "a run was still going"),
            ("merged", f"a run was still going; merged into the waiting firing {waiting_key}"),
        ]
        world.clock.advance(60)
        with world.store.transaction() as session:
            transition_run(session, run_id=first, to=RunStatus.RUNNING, now=world.clock.now())
            transition_run(session, run_id=first, to=RunStatus.FAILED, now=world.clock.now(), error="boom")
        (second,) = scheduler.tick()
        runs = world.runs(listener)
        assert [run.trigger_payload["conversation_ids"] for run in runs] == [["a"], ["b", "c"]]
        assert runs[1].trigger_payload["sync_ids"] == [second_sync, third_sync]
        assert runs[1].trigger_payload["covers"] == [f"sync:{third_sync}:sync_completed"]
        assert runs[1].id == second
        assert world.submitted[-1] == second
        assert [(f.outcome, f.run_id) for f in world.firings(listener)] == [
            ("started", first),
            ("started", second),
            ("merged", second),
        ]

    def test_many_syncs_behind_one_run_all_reach_the_next_run_once(self, world: World) -> None:
        """Fifty syncs while a run goes: one waits, 49 merge into it; the next run takes all 50 syncs' conversations,
        each once; a schedule-like loss of syncs cannot happen."""
        listener = world.publish(document(on("sync_completed", "alpha")))
        scheduler = world.scheduler()
        world.sync("alpha", "completed", arrived=["first"])
        (first,) = scheduler.tick()
        arrived = [[f"c{i}", f"c{i + 1}"] for i in range(50)]  # neighbours share a conversation
        for ids in arrived:
            world.sync("alpha", "completed", arrived=ids)
        scheduler.tick()
        with world.store.transaction() as session:
            transition_run(session, run_id=first, to=RunStatus.RUNNING, now=world.clock.now())
            transition_run(session, run_id=first, to=RunStatus.COMPLETED, now=world.clock.now())
        scheduler.tick()
        runs = world.runs(listener)
        assert len(runs) == 2
        assert runs[1].trigger_payload["conversation_ids"] == [f"c{i}" for i in range(51)]
        outcomes = [f.outcome for f in world.firings(listener)]
        assert outcomes == ["started", "started"] + ["merged"] * 49


class TestCallLimit:
    def test_a_sync_past_the_call_limit_makes_no_run(self, world: World) -> None:
        """With one call in 24 hours allowed, the second sync's firing is skipped with the reason."""
        listener = world.publish(document(on("sync_completed", "alpha")), overlap_policy="parallel", call_limit=1)
        world.sync("alpha", "completed", arrived=["a"])
        assert len(world.scheduler().tick()) == 1
        world.clock.advance(timedelta(hours=1).total_seconds())
        world.sync("alpha", "completed", arrived=["b"])
        assert world.scheduler().tick() == []
        assert len(world.runs(listener)) == 1
        skipped = world.firings(listener)[1]
        assert (skipped.outcome, skipped.run_id) == ("skipped", None)
        assert skipped.reason == "The call limit of 1 calls in 24 hours is reached (1 used): this firing makes no run."


class TestFolderIntegration:
    def test_files_dropped_in_a_watched_folder_start_one_run_per_scan(self, world: World, tmp_path: Path) -> None:
        """The pass scans a due folder integration itself: each scan with new files is one sync whose run gathers
        exactly that scan's conversations; a quiet scan, or a scan not yet due, starts nothing."""
        drop = tmp_path / "drop"
        drop.mkdir()
        with world.store.transaction() as session:
            create_integration(session, name="drop", kind="folder", config={"path": str(drop)}, now=world.clock.now())
        listener = world.publish(document(on("sync_completed", "drop")), overlap_policy="parallel")
        scheduler = world.scheduler()
        write(drop / "a.jsonl", "d-1", "d-2")
        assert len(scheduler.tick()) == 1
        world.clock.advance(60)
        write(drop / "b.jsonl", "d-3")
        assert scheduler.tick() == []  # scanned a minute ago: not due for another four
        world.clock.advance(240)
        assert len(scheduler.tick()) == 1
        world.clock.advance(300)
        assert scheduler.tick() == []  # nothing new: no sync, no run
        assert [run.trigger_payload["conversation_ids"] for run in world.runs(listener)] == [["d-1", "d-2"], ["d-3"]]


def write(path: Path, *ids: str) -> None:
    """Conversations in appendix D's JSONL format."""
    rows = [
        {
            "id": i,
            "channel": "chat",
            "started_at": "2026-03-02T09:15:00Z",
            "turns": [{"speaker": "agent", "text": "Hi"}],
        }
        for i in ids
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


class TestImports:
    def test_an_import_fires_the_sync_completed_listeners_with_exactly_its_conversations(
        self, world: World, tmp_path: Path
    ) -> None:
        """`redflare import` into an integration is a sync: its Sync Completed workflows run on what it brought."""
        listener = world.publish(document(on("sync_completed", "alpha")))
        elsewhere = world.publish(document(on("sync_completed", "beta"), name="Beta"))
        path = tmp_path / "calls.jsonl"
        path.write_text("".join(json.dumps(chat(f"imp-{i}")) + "\n" for i in range(3)), encoding="utf-8")
        import_path(world.store, path, integration="alpha", now=world.clock.now())
        (started,) = world.scheduler().tick()
        (run,) = world.runs(listener)
        assert run.id == started
        assert run.trigger_payload["conversation_ids"] == ["imp-0", "imp-1", "imp-2"]
        assert world.runs(elsewhere) == []

    def test_a_refused_imports_alert_names_the_file_and_line(self, world: World, tmp_path: Path) -> None:
        """Issue P8: a Sync Failed run showed no reason and `{{ trigger }}` was refused. The refused import is a failed
        sync; its listener's alert says which file and line, from `trigger.error`."""
        alert = {
            "id": "tell",
            "type": "send_alert",
            "after": ["pick"],
            "config": {
                "subject": "Sync of {{ trigger.integration }} failed",
                "message": "{{ trigger.error }} ({{ trigger.type }}) in {{ trigger.files|join(', ') }}",
                "recipients": ["qa@example.com"],
            },
        }
        flow = document(on("sync_failed", "alpha"))
        listener = world.publish({**flow, "steps": [*flow["steps"], alert]})
        bad = tmp_path / "batch2.jsonl"
        bad.write_text(json.dumps(chat("ok-1")) + "\n{ not json\n", encoding="utf-8")
        with pytest.raises(ImportRefused):
            import_path(world.store, bad, integration="alpha", now=world.clock.now())
        (run_id,) = world.scheduler().tick()
        with Runner(world.store, world.clock, InlineAnalysisExecutor()) as runner:
            resource = runner.execute(run_id)
        assert resource["status"] == "completed"
        [message] = resource["steps"][1]["messages"]
        assert message["subject"] == "Sync of alpha failed"
        assert message["text"].startswith(f"1 bad row(s) in {bad}: nothing was imported; {bad}:2: ")
        assert message["text"].endswith(f"(sync_failed) in {bad}")
        assert world.runs(listener)[0].id == run_id

    def test_the_demo_then_an_import_runs_analyse_each_sync(self, world: World, tmp_path: Path) -> None:
        """Issue P8: the shipped example "Analyse each sync" (Sync Completed on `demo`) could never fire. After
        `redflare demo`, publishing it and importing into `demo` runs it on exactly what the import brought."""
        load_demo(world.store, world.clock, datasets=tmp_path / "no-datasets", say=lambda _: None)
        world.scheduler().tick()  # the demo's own import: nothing listened yet
        admin = Principal(user_id="u-admin", email="admin@example.com", role=Role.ADMIN, access=EVERYTHING)
        with world.store.transaction() as session:
            example = session.scalar(select(Workflow).where(Workflow.name == "Analyse each sync"))
            assert example is not None
            lifecycle.publish(session, principal=admin, workflow_id=example.id, now=world.clock.now())
        path = tmp_path / "tuesday.jsonl"
        path.write_text("".join(json.dumps(chat(f"tue-{i}")) + "\n" for i in range(2)), encoding="utf-8")
        import_path(world.store, path, integration="demo", now=world.clock.now())
        (run_id,) = world.scheduler().tick()
        (run,) = world.runs(example.id)
        assert run.id == run_id
        assert run.trigger_payload["conversation_ids"] == ["tue-0", "tue-1"]
