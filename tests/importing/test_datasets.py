"""Each dataset mapping on its real files (shared/datasets), checked against the raw files read independently.

Skipped when the shared datasets are not beside the checkout (an installed product has only the sample).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from redflare.analysis.measures import conversation_measures
from redflare.domain.conversation import Conversation
from redflare.importing.datasets import DATASET_FORMATS, detect
from redflare.importing.readers import ReadIssue
from redflare.importing.sample import shared_datasets_dir
from redflare.importing.schema import parse_record, to_domain

ROOT = shared_datasets_dir()
pytestmark = pytest.mark.skipif(ROOT is None, reason="shared/datasets is not available")
UUID_ROW = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\t")


def _root() -> Path:
    assert ROOT is not None
    return ROOT


def _load(name: str, folder: str) -> tuple[list[Conversation], list[str]]:
    """Every conversation the mapping makes of the folder, and every problem it reports."""
    fmt = DATASET_FORMATS[name]
    conversations: list[Conversation] = []
    problems: list[str] = []
    for path in fmt.files(_root() / folder):
        for item in fmt.read_file(path):
            if isinstance(item, ReadIssue):
                problems.append(f"{item.where}: {item.message}")
                continue
            parsed = parse_record(item)
            if isinstance(parsed, list):
                problems.extend(str(issue) for issue in parsed)
            else:
                conversations.append(to_domain(parsed, name))
    return conversations, problems


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class TestDetect:
    @pytest.mark.parametrize(
        ("folder", "expected"),
        [
            ("star", "star"),
            ("harper_valley_bank", "hvb"),
            ("multidogo", "multidogo"),
            ("abcd", "abcd"),
            ("taskmaster", "taskmaster"),
            ("multiwoz", "multiwoz"),
            ("azure_speech_format_samples", "azure"),
            ("audio_samples", None),
        ],
    )
    def test_each_folder_is_recognised(self, folder: str, expected: str | None) -> None:
        """`--format auto` names the dataset a folder holds, and none for a folder of audio."""
        fmt = detect(_root() / folder)
        assert (fmt.name if fmt else None) == expected

    def test_the_folder_of_all_datasets_is_none_of_them(self) -> None:
        """The parent folder is split between the datasets, not swallowed by the first."""
        assert detect(_root()) is None

    def test_single_files_are_recognised(self) -> None:
        """One STAR dialogue or one TSV is recognised by its content."""
        star = detect(_root() / "star" / "dialogues" / "1001.json")
        tsv = detect(_root() / "multidogo" / "turn_level_test" / "airline.tsv")
        assert (star and star.name, tsv and tsv.name) == ("star", "multidogo")


class TestStar:
    def test_dialogues_map_event_by_event(self) -> None:
        """Only utter/pick_suggestion events of User and Wizard are turns, timed from the first event."""
        conversations, problems = _load("star", "star")
        by_id = {c.id: c for c in conversations}
        raw_files = sorted((_root() / "star" / "dialogues").glob("*.json"))
        silent = 0
        for path in raw_files:
            raw = _json(path)
            spoken = [
                e
                for e in raw["Events"]
                if e["Agent"] in ("User", "Wizard") and e["Action"] in ("utter", "pick_suggestion")
            ]
            if not spoken:
                silent += 1
                continue
            conversation = by_id[f"star-{raw['DialogueID']}"]
            times = [e["UnixTime"] for e in raw["Events"] if e.get("UnixTime") is not None]
            assert [t.text for t in conversation.turns] == [e["Text"] for e in spoken]
            assert [t.speaker.value for t in conversation.turns] == [
                "customer" if e["Agent"] == "User" else "agent" for e in spoken
            ]
            assert [t.offset_s for t in conversation.turns] == [e["UnixTime"] - min(times) for e in spoken]
            assert conversation.started_at == datetime.fromtimestamp(min(times), UTC)
            assert conversation.duration_s == max(times) - min(times)
            assert (conversation.agent, conversation.customer) == (
                raw["AnonymizedWizardWorkerID"],
                raw["AnonymizedUserWorkerID"],
            )
            assert conversation.outcome == raw["CompletionLevel"]
        assert len(conversations) == len(raw_files) - silent
        assert len(problems) == silent
        assert all("no utterances" in p for p in problems)

    def test_bank_dialogues_are_team_bank(self) -> None:
        """Every single-domain bank dialogue lands in team `bank`, queued by its task."""
        conversations, _ = _load("star", "star")
        bank = [c for c in conversations if c.team == "bank"]
        raw_bank = [
            p for p in (_root() / "star" / "dialogues").glob("*.json") if _json(p)["Scenario"]["Domains"] == ["bank"]
        ]
        assert 0 < len(bank) <= len(raw_bank)
        assert all(c.queue and c.queue.startswith("bank_") for c in bank)


class TestHarperValleyBank:
    def test_calls_map_segment_by_segment(self) -> None:
        """Every segment is a turn in time order; times, people, task and rating come from the metadata."""
        conversations, problems = _load("hvb", "harper_valley_bank")
        assert problems == []
        metadata_files = sorted((_root() / "harper_valley_bank" / "metadata").glob("*.json"))
        assert len(conversations) == len(metadata_files)
        by_id = {c.id: c for c in conversations}
        for path in metadata_files:
            meta = _json(path)
            segments = _json(path.parent.parent / "transcript" / path.name)
            call = by_id[f"hvb-{meta['sid']}"]
            assert call.channel.value == "call"
            assert len(call.turns) == len(segments)
            assert Counter(t.speaker.value for t in call.turns) == Counter(
                "customer" if s["speaker_role"] == "caller" else "agent" for s in segments
            )
            # On the call's clock (offset_ms), which orders the turns as the absolute start_timestamp_ms does.
            assert [t.offset_s for t in call.turns] == sorted(s["offset_ms"] / 1000 for s in segments)
            by_clock = sorted(segments, key=lambda s: (s["offset_ms"], s["index"]))
            assert [s["start_timestamp_ms"] for s in by_clock] == sorted(s["start_timestamp_ms"] for s in segments)
            assert all(t.end_s is not None and t.offset_s is not None and t.end_s >= t.offset_s for t in call.turns)
            texts = Counter(t.text for t in call.turns)
            assert texts == Counter((s["human_transcript"] or s["transcript"]).strip() for s in segments)
            assert call.started_at == datetime.fromtimestamp(meta["start_time_ms"] / 1000, UTC)
            assert call.duration_s == (meta["end_time_ms"] - meta["start_time_ms"]) / 1000
            assert call.agent == meta["agent"]["metadata"]["agent_name"]
            assert call.team == meta["session"]
            assert call.queue == meta["tasks"][0]["task_type"]
            rating = meta["caller"]["survey_response"]["data"].get("partner_rating")
            assert call.metadata.get("caller_rating") == (int(rating) if rating else None)

    def test_every_call_has_an_agent_response_time(self) -> None:
        """Every call where the caller speaks and the agent answers has its agent response time, each wait measured
        from the end of the caller's speech to the agent's next segment on the call's clock (worked out here from
        the raw segments' absolute start_timestamp_ms, not from what the import made of them)."""
        conversations, _ = _load("hvb", "harper_valley_bank")
        by_id = {c.id: c for c in conversations}
        assert len(by_id) == 11
        for path in sorted((_root() / "harper_valley_bank" / "transcript").glob("*.json")):
            segments = sorted(_json(path), key=lambda s: s["start_timestamp_ms"])
            waits, stopped = [], None
            for s in segments:
                if s["speaker_role"] == "caller":
                    end = s["start_timestamp_ms"] + s["duration_ms"]
                    stopped = end if stopped is None else max(stopped, end)
                elif stopped is not None:
                    waits.append(max(0, s["start_timestamp_ms"] - stopped) / 1000)
                    stopped = None
            measured = conversation_measures(by_id[f"hvb-{path.stem}"]).agent_response_s
            assert waits, path.name
            assert measured is not None, path.name
            assert measured == pytest.approx(sum(waits) / len(waits), abs=0.01), path.name

    def test_the_dead_air_call_keeps_its_low_rating(self) -> None:
        """The call the caller rated 2 for dead air says so in its metadata."""
        conversations, _ = _load("hvb", "harper_valley_bank")
        [call] = [c for c in conversations if c.id == "hvb-01f7ec3700424bc0"]
        assert (call.metadata["caller_rating"], call.metadata["caller_comments"]) == (2, "lots of dead air")


class TestMultiDoGO:
    def test_every_conversation_of_every_domain(self) -> None:
        """Conversations and customer turns match the TSVs' rows, counted line by line without a CSV parser."""
        conversations, problems = _load("multidogo", "multidogo")
        assert problems == []
        expected_ids: set[str] = set()
        expected_turns = 0
        expected_teams: Counter[str] = Counter()
        for path in sorted((_root() / "multidogo" / "turn_level_test").glob("*.tsv")):
            rows = [line for line in path.read_text(encoding="utf-8").split("\n") if UUID_ROW.match(line)]
            ids = {row.split("\t")[0] for row in rows}
            expected_ids |= ids
            expected_teams[path.stem] = len(ids)
            expected_turns += sum(1 for row in rows if row.split("\t")[3].strip(' "'))
        assert {c.id for c in conversations} == {f"mdg-{i}" for i in expected_ids}
        assert sum(len(c.turns) for c in conversations) == expected_turns
        assert Counter(c.team for c in conversations) == expected_teams
        assert all(t.speaker.value == "customer" for c in conversations for t in c.turns)

    def test_quoted_multiline_utterances_are_one_turn(self) -> None:
        """A pasted address spanning lines is one turn, its line breaks collapsed."""
        conversations, _ = _load("multidogo", "multidogo")
        [conversation] = [c for c in conversations if c.id == "mdg-73dc27ea-8b42-472a-9fc6-c82f51c94825"]
        assert "vaughn estes frt 525" in [t.text for t in conversation.turns]


class TestAbcd:
    def test_conversations_and_actions(self) -> None:
        """Each original [speaker, text] is a turn; actions become system turns; copies share an id."""
        conversations, problems = _load("abcd", "abcd")
        assert problems == []
        raw = [
            c
            for name in ("abcd_sample.json", "dialogstudio_abcd_examples.json")
            for c in _json(_root() / "abcd" / name)
        ]
        assert [c.id for c in conversations] == [f"abcd-{r['convo_id']}" for r in raw]
        for conversation, source in zip(conversations, raw, strict=True):
            assert [t.text for t in conversation.turns] == [text for _, text in source["original"]]
            assert sum(t.speaker.value == "system" for t in conversation.turns) == sum(
                speaker == "action" for speaker, _ in source["original"]
            )
            assert (conversation.team, conversation.queue) == (
                source["scenario"]["flow"],
                source["scenario"]["subflow"],
            )
        assert len({c.id for c in conversations}) == len({r["convo_id"] for r in raw})


class TestTaskmaster:
    def test_every_file_and_release(self) -> None:
        """Each dialogue of each file is mapped, with its release in the id and its turns in order."""
        conversations, problems = _load("taskmaster", "taskmaster")
        assert problems == []
        folder = _root() / "taskmaster"
        expected: list[tuple[str, int]] = []
        for name, release in [
            ("TM-1-2019/sample.json", "tm1"),
            ("TM-4-2024/data_07.json", "tm4"),
            ("convlab3_tm1_dummy_data.json", None),
            ("convlab3_tm2_dummy_data.json", None),
            ("dialogstudio_tm1_examples.json", "tm1"),
            ("dialogstudio_tm2_examples.json", "tm2"),
            ("dialogstudio_tm3_examples.json", "tm3"),
        ]:
            data = _json(folder / name)
            for dialogue in data if isinstance(data, list) else [data]:
                if release is None:
                    expected.append((f"{dialogue['dataset']}-{dialogue['original_id']}", len(dialogue["turns"])))
                else:
                    expected.append((f"{release}-{dialogue['conversation_id']}", len(dialogue["utterances"])))
        assert sorted((c.id, len(c.turns)) for c in conversations) == sorted(expected)
        tm4 = [c for c in conversations if c.id.startswith("tm4-")]
        assert len(tm4) == 210
        assert {t.speaker.value for c in conversations for t in c.turns} == {"agent", "customer"}


class TestMultiWoz:
    def test_both_layouts(self) -> None:
        """MultiWOZ 2.2 and ConvLab's 2.1 dialogues map with USER → customer, SYSTEM → agent."""
        conversations, problems = _load("multiwoz", "multiwoz")
        assert problems == []
        folder = _root() / "multiwoz"
        dialogues = _json(folder / "convlab3_multiwoz21_dummy_data.json") + _json(
            folder / "dialogstudio_multiwoz22_examples.json"
        )
        expected = {
            "mwoz-" + str(d.get("original_id") or d["dialogue_id"]).removesuffix(".json"): [
                "customer" if t["speaker"].lower() == "user" else "agent" for t in d["turns"]
            ]
            for d in dialogues
        }
        assert {c.id: [t.speaker.value for t in c.turns] for c in conversations} == expected


class TestAzure:
    def test_each_payload(self) -> None:
        """The chat keeps its participants; speech results become timed calls with inferred roles."""
        conversations, problems = _load("azure", "azure_speech_format_samples")
        assert problems == []
        folder = _root() / "azure_speech_format_samples"
        by_id = {c.id: c for c in conversations}
        chat_raw = _json(folder / "Json_input_customer_support.json")["analysisInput"]["conversations"][0]
        chat = by_id[f"azure-{chat_raw['id']}"]
        assert [(t.speaker.value, t.text) for t in chat.turns] == [
            (i["participantId"].lower(), i["text"]) for i in chat_raw["conversationItems"]
        ]
        summary_raw = _json(folder / "summarizationInputSample.json")
        call = by_id["azure-summarizationInputSample"]
        phrases = [p for p in summary_raw["recognizedPhrases"] if p["recognitionStatus"] == "Success"]
        assert [t.offset_s for t in call.turns] == [p["offsetInTicks"] / 1e7 for p in phrases]
        assert call.duration_s == summary_raw["durationInTicks"] / 1e7
        helper = [t for t in call.turns if "how can i help" in t.text.lower()]
        assert helper
        assert all(t.speaker.value == "agent" for t in helper)
        assert {t.speaker.value for t in call.turns} == {"agent", "customer"}
        assert len(by_id["azure-realtimeresult"].turns) == len(_json(folder / "realtimeresult.json"))
