"""Rasa STAR (`dialogues/<DialogueID>.json`): Wizard-of-Oz text chats with wall-clock times → appendix D.

- id `star-<DialogueID>`, channel chat, language en;
- turns only from `utter` and `pick_suggestion` events of User (→ customer) and Wizard (→ agent);
  UserGuide instructions and KnowledgeBase results are not spoken. `offset_s` is the event's
  UnixTime minus the dialogue's first UnixTime;
- started_at = the smallest UnixTime (UTC), duration_s = largest − smallest;
- customer = AnonymizedUserWorkerID, agent = AnonymizedWizardWorkerID;
- team = Scenario.Domains joined by ", "; queue = the wizard's task names
  (`WizardCapabilities[].Task`, e.g. `bank_balance`) — the WizardTask sentence itself, often longer
  than a queue name may be, goes to metadata `wizard_task`;
- outcome = CompletionLevel; tags from the scenario and the wizard's questionnaire
  (`unhappy-path`, `multi-task`, `user-aggressive`, `user-changed-mind`, `user-confused`,
  `agent-unsure`); both questionnaires are kept whole in metadata.

A dialogue in which nobody spoke (the user left first) is reported as a bad row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redflare.importing.datasets.base import (
    LANGUAGE,
    DatasetFormat,
    files_where,
    first_json_value,
    has_keys,
    json_files,
    json_records,
    problem,
    record,
    turn,
)
from redflare.importing.readers import ReadIssue, ReadItem

NAME = "star"
SPOKEN_ACTIONS = frozenset({"utter", "pick_suggestion"})
SPEAKERS = {"User": "customer", "Wizard": "agent"}
# Substrings of the wizard questionnaire's questions (their wording varies a little) → a tag when answered yes.
QUESTION_TAGS = (
    ("aggressive", "user-aggressive"),
    ("change his/her mind", "user-changed-mind"),
    ("confused", "user-confused"),
    ("unsure", "agent-unsure"),
)


def claims_file(path: Path) -> bool:
    return has_keys(first_json_value(path), "DialogueID", "Events")


def claims_folder(path: Path) -> bool:
    folder = path / "dialogues" if (path / "dialogues").is_dir() else path
    candidates = json_files(folder)
    return bool(candidates) and claims_file(candidates[0])


def files(path: Path) -> list[Path]:
    if path.is_dir() and (path / "dialogues").is_dir():
        path = path / "dialogues"
    return files_where(path, claims_file)


def read_file(path: Path) -> Iterator[ReadItem]:
    for item in json_records(path):
        if isinstance(item, ReadIssue):
            yield item
        elif not has_keys(item[1], "DialogueID", "Events"):
            yield problem(path, item[0], "not a STAR dialogue (no DialogueID and Events)")
        else:
            yield _map(path, item[0], item[1])


def _map(path: Path, line: int, dialogue: dict[str, Any]) -> ReadItem:
    events = [e for e in dialogue["Events"] if isinstance(e, dict)]
    times = [e["UnixTime"] for e in events if isinstance(e.get("UnixTime"), int | float)]
    start = min(times) if times else None
    turns = [
        turn(SPEAKERS[e["Agent"]], e.get("Text", ""), None if start is None else _offset(e, start))
        for e in events
        if e.get("Agent") in SPEAKERS and e.get("Action") in SPOKEN_ACTIONS
    ]
    if not turns:
        level = dialogue.get("CompletionLevel", "unknown")
        return problem(path, line, f"the dialogue has no utterances (CompletionLevel {level})")
    scenario = dialogue.get("Scenario") or {}
    return record(
        path,
        line,
        {
            "id": f"star-{dialogue['DialogueID']}",
            "channel": "chat",
            "started_at": None if start is None else datetime.fromtimestamp(start, UTC).isoformat(),
            "duration_s": None if start is None else float(max(times) - start),
            "agent": dialogue.get("AnonymizedWizardWorkerID"),
            "customer": dialogue.get("AnonymizedUserWorkerID"),
            "team": ", ".join(d for d in scenario.get("Domains") or [] if d) or None,
            "queue": ", ".join(c["Task"] for c in scenario.get("WizardCapabilities") or [] if c.get("Task")) or None,
            "outcome": dialogue.get("CompletionLevel"),
            "tags": _tags(dialogue, scenario),
            "language": LANGUAGE,
            "turns": turns,
            "metadata": {
                "source": "RasaHQ/STAR",
                "batch_id": dialogue.get("BatchID"),
                "wizard_task": scenario.get("WizardTask"),
                "user_task": scenario.get("UserTask"),
                "user_questionnaire": _answers(dialogue.get("UserQuestionnaire")),
                "wizard_questionnaire": _answers(dialogue.get("WizardQuestionnaire")),
            },
        },
    )


def _offset(event: dict[str, Any], start: float) -> float | None:
    time = event.get("UnixTime")
    return float(time - start) if isinstance(time, int | float) else None


def _tags(dialogue: dict[str, Any], scenario: dict[str, Any]) -> list[str]:
    tags = []
    if scenario.get("Happy") is False:
        tags.append("unhappy-path")
    if scenario.get("MultiTask") is True:
        tags.append("multi-task")
    for entry in dialogue.get("WizardQuestionnaire") or []:
        question = str(entry.get("Question", ""))
        tags.extend(tag for needle, tag in QUESTION_TAGS if needle in question and entry.get("Answer") is True)
    return tags


def _answers(questionnaire: Any) -> list[dict[str, Any]]:
    return [
        {"question": q.get("Question"), "answer": q.get("Answer")} for q in questionnaire or [] if isinstance(q, dict)
    ]


FORMAT = DatasetFormat(
    name=NAME,
    title="Rasa STAR dialogues (dialogues/*.json)",
    claims_folder=claims_folder,
    claims_file=claims_file,
    files=files,
    read_file=read_file,
)
