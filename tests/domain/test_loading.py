"""Reading workflow files: JSON or YAML, every error named by its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from redflare.domain.errors import InvalidWorkflow
from redflare.domain.loading import document_from_data, dump_document, load_document
from redflare.domain.workflow import TriggerType, split_port_ref

GOOD_YAML = """
name: Nightly
trigger: {type: schedule, cron: "0 2 * * *", timezone: Europe/London}
steps:
  - {id: pick, type: select_conversations, config: {source: all}}
  - {id: split, type: distribute, after: [pick], config: {mode: round_robin, groups: [{name: A}, {name: B}]}}
  - {id: a, type: sort, after: [split.A], config: {by: [{field: id}]}}
"""


class TestLoad:
    def test_yaml_and_json_read_the_same(self, tmp_path: Path) -> None:
        """The same workflow as YAML and as JSON loads to the same document."""
        yaml_file = tmp_path / "w.yaml"
        yaml_file.write_text(GOOD_YAML)
        document = load_document(yaml_file)
        json_file = tmp_path / "w.json"
        import json

        json_file.write_text(json.dumps(dump_document(document)))
        assert load_document(json_file) == document
        assert document.trigger is not None
        assert document.trigger.type is TriggerType.SCHEDULE

    def test_every_structural_error_is_listed_with_its_path(self) -> None:
        """Unknown keys, bad ids and bad triggers are all reported at once, each with path and node."""
        with pytest.raises(InvalidWorkflow) as caught:
            document_from_data(
                {
                    "name": "x",
                    "trigger": {"type": "schedule"},
                    "steps": [{"id": "Bad Id", "type": "sort"}, {"id": "ok", "type": "sort", "colour": "red"}],
                    "surprise": 1,
                }
            )
        found = {(i.path, i.node) for i in caught.value.issues}
        assert ("trigger", "trigger") in found
        assert ("steps[0].id", "Bad Id") in found
        assert ("steps[1].colour", "ok") in found
        assert ("surprise", None) in found

    def test_broken_yaml_names_the_line(self, tmp_path: Path) -> None:
        """A syntax error points at the file and line."""
        broken = tmp_path / "broken.yaml"
        broken.write_text("name: x\nsteps: [\n  {id: a\n")
        with pytest.raises(InvalidWorkflow) as caught:
            load_document(broken)
        assert caught.value.issues[0].path.startswith(f"{broken}:")
        assert "not valid YAML" in caught.value.issues[0].message

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that is not there is an issue, not a traceback."""
        with pytest.raises(InvalidWorkflow, match="cannot read"):
            load_document(tmp_path / "nope.yaml")

    def test_schedule_forms_are_exclusive(self) -> None:
        """A schedule takes exactly one form; sync triggers take none."""
        with pytest.raises(InvalidWorkflow, match="exactly one"):
            document_from_data({"name": "x", "trigger": {"type": "schedule", "cron": "* * * * *", "daily": "02:00"}})
        with pytest.raises(InvalidWorkflow, match="no schedule fields"):
            document_from_data({"name": "x", "trigger": {"type": "sync_completed", "daily": "02:00"}})
        with pytest.raises(InvalidWorkflow, match="HH:MM"):
            document_from_data({"name": "x", "trigger": {"type": "schedule", "daily": "25:00"}})


class TestPortRefs:
    def test_port_reference(self) -> None:
        """ "split.Reviewer A" names a port; a bare id means the default one."""
        assert split_port_ref("split.Reviewer A") == ("split", "Reviewer A")
        assert split_port_ref("pick") == ("pick", "out")
